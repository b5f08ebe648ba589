"""What the engine checks about a Dask cluster's workers before sending them tasks.

Task functions of ``workbench`` (and of everything installed) travel by reference, so
each worker must be able to import the same ``workbench`` version, under the same
Python (pickled code is bytecode). A worker that differs would fail tasks one by one
with unpickling errors far from the cause; checking once when the executor connects
names the worker and the mismatch instead.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import workbench
from workbench.core.errors import PipelineError


@dataclass(frozen=True)
class WorkerVersions:
    """The versions one worker (or the engine) runs."""

    workbench: str
    """``workbench.__version__``."""
    python: str
    """``major.minor`` of the Python running it (pickled bytecode needs the same)."""


def local_versions() -> WorkerVersions:
    """The versions this process runs."""
    return WorkerVersions(workbench.__version__, ".".join(platform.python_version_tuple()[:2]))


def worker_versions() -> dict[str, str]:
    """Run on a worker by ``client.run``: its versions as plain data."""
    versions = local_versions()
    return {"workbench": versions.workbench, "python": versions.python}


def mismatches(here: WorkerVersions, reported: Mapping[str, Any]) -> list[str]:
    """One line per worker that cannot run this engine's tasks, naming what differs.

    Args:
        here: The engine's versions.
        reported: Worker address to what :func:`worker_versions` returned there, or
            the exception it raised (a worker without workbench cannot even unpickle
            the call).
    """
    problems = []
    for address, answer in sorted(reported.items()):
        if isinstance(answer, BaseException):
            problems.append(
                f"worker {address} cannot import workbench ({type(answer).__name__}: "
                f"{answer}); install workbench=={here.workbench} there"
            )
            continue
        if not isinstance(answer, Mapping):
            problems.append(f"worker {address} answered {answer!r} instead of its versions")
            continue
        if answer.get("workbench") != here.workbench:
            problems.append(
                f"worker {address} runs workbench {answer.get('workbench')}, the engine "
                f"runs {here.workbench}; install workbench=={here.workbench} there"
            )
        if answer.get("python") != here.python:
            problems.append(
                f"worker {address} runs Python {answer.get('python')}, the engine runs "
                f"Python {here.python}; pickled task code needs the same minor version"
            )
    return problems


def check_workers(client: Any, address: str) -> None:
    """Ask every worker of ``client``'s cluster for its versions; fail on any mismatch.

    Raises:
        PipelineError: A worker runs another workbench or Python version, or cannot
            import workbench; the message names each such worker and what to install.
    """
    try:
        reported = client.run(worker_versions, on_error="return")
    except Exception as exc:  # the scheduler went away between connecting and asking
        raise PipelineError(
            f"could not ask the workers of the Dask cluster at {address!r} for their "
            f"versions: {type(exc).__name__}: {exc}"
        ) from exc
    problems = mismatches(local_versions(), reported)
    if problems:
        raise PipelineError(
            f"the Dask cluster at {address!r} cannot run workbench tasks: " + "; ".join(problems)
        )
