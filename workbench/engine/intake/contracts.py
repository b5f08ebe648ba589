"""The data contract as a person sees it: show the pinned one, infer one, check a file.

``workbench contract show | infer FILE | diff FILE`` and the same through the api. A
proposed contract is only written when asked (``--pin``), so reading one never changes
what later files are checked against.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.validation_report import ValidationReport
from workbench.core.workspace import Workspace
from workbench.engine.context import Emit


def pinned_text(workspace: Workspace) -> str:
    """The pinned contract as TOML.

    Raises:
        WorkbenchError: Nothing is pinned yet.
    """
    path = workspace.contract_path
    if not path.exists():
        raise WorkbenchError(
            "no data contract is pinned yet: the first accepted file pins one, or run "
            "workbench contract infer FILE --pin"
        )
    return path.read_text(encoding="utf-8")


def infer_text(workspace: Workspace, target: str, emit: Emit, path: Path, pin: bool) -> str:
    """The contract a file proposes (the same policy ingest applies), optionally pinned.

    ``target`` is the target column (never range-checked); a pin is announced by ``emit``.
    """
    # polars and the validation package load on first use, not with every engine
    from workbench.engine.intake.ingest import soften_ranges
    from workbench.validation import contract_to_toml, infer_contract, scan_dataset

    contract = soften_ranges(infer_contract(scan_dataset(path), target=target))
    text = contract_to_toml(contract)
    if pin:
        workspace.contract_path.write_text(text, encoding="utf-8")
        emit(
            "contract.pinned", f"data contract inferred from {path.name} and pinned", file=path.name
        )
    return text


def diff_report(workspace: Workspace, path: Path) -> ValidationReport:
    """A file checked against the pinned contract: failed checks and schema changes."""
    from workbench.validation import contract_from_toml, validate  # polars: on first use

    contract = contract_from_toml(pinned_text(workspace), str(workspace.contract_path))
    return validate(path, contract)
