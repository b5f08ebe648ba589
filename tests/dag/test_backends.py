"""make_executor: the executor a setting names, and a clear error when Dask is missing.

These tests need no Dask: the "missing" case hides ``distributed`` from the importer.
"""

from __future__ import annotations

import sys

import pytest

from workbench.core.errors import PipelineError
from workbench.dag import DaskExecutor, Pipeline, ThreadExecutor, make_executor, task


def test_threads_makes_a_thread_executor_of_the_given_size() -> None:
    executor = make_executor("threads", 3)
    assert isinstance(executor, ThreadExecutor) and executor.max_workers == 3


def test_an_executor_is_a_context_manager_that_still_runs_inside() -> None:
    @task
    def one() -> int:
        return 1

    with make_executor(" threads ", 1) as executor:
        assert executor.run(Pipeline("p", one), run_id="r").values == {"one": 1}


@pytest.mark.parametrize("spec", ["processes", "dask", "dask:remote", "", "Threads"])
def test_an_unknown_spec_lists_the_known_ones(spec: str) -> None:
    with pytest.raises(PipelineError, match=r"unknown executor .*'threads', 'dask:local'"):
        make_executor(spec, 2)


@pytest.mark.parametrize(
    "spec", ["dask://", "dask://host", "dask://:8786", "dask://h:port", "dask://h:99999"]
)
def test_a_malformed_dask_address_shows_the_expected_form(spec: str) -> None:
    with pytest.raises(PipelineError, match=r"dask://host:port, such as dask://127\.0\.0\.1:8786"):
        make_executor(spec, 2)


@pytest.mark.parametrize("spec", ["dask:local", "dask://127.0.0.1:8786"])
def test_without_distributed_dask_says_what_to_install(
    spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what `import` sees when absent
    with pytest.raises(PipelineError) as caught:
        make_executor(spec, 2)
    assert str(caught.value) == (
        "the dask executor needs the 'distributed' package: pip install 'workbench[dask]'"
    )


def test_without_distributed_the_dask_executor_class_says_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(PipelineError, match=r"pip install 'workbench\[dask\]'"):
        DaskExecutor("tcp://127.0.0.1:8786")
    with pytest.raises(PipelineError, match=r"pip install 'workbench\[dask\]'"):
        DaskExecutor.local()
