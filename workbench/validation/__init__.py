"""Data validation: contracts, inference, one-pass checks and profiles.

A workspace pins a data contract (``.workbench/contract.toml``); every dataset is checked
against it in a single polars streaming query that also profiles each column, and the
result is a :class:`ValidationReport` a person can read (``summary()``) and a program can
store (``to_dict()``). Typical use::

    contract = infer_contract(read_dataset(first_file))
    path.write_text(contract_to_toml(contract))
    ...
    report = validate(new_file, contract_from_toml(path.read_text(), str(path)))
    if not report.passed:
        print(report.summary())
"""

from __future__ import annotations

from workbench.core.validation_report import (
    CheckResult,
    ColumnProfile,
    SchemaChange,
    ValidationReport,
)
from workbench.validation.contract import COLUMN_CHECKS, SEVERITIES, ColumnRule, Contract, TableRule
from workbench.validation.contract_file import contract_from_toml, contract_to_toml
from workbench.validation.dtypes import DTYPES, logical_dtype
from workbench.validation.infer import infer_contract
from workbench.validation.profile import QUANTILES, profile_frame
from workbench.validation.readers import SUFFIXES, read_dataset, scan_dataset
from workbench.validation.validate import FRAME_LABEL, validate

__all__ = [
    "COLUMN_CHECKS",
    "DTYPES",
    "FRAME_LABEL",
    "QUANTILES",
    "SEVERITIES",
    "SUFFIXES",
    "CheckResult",
    "ColumnProfile",
    "ColumnRule",
    "Contract",
    "SchemaChange",
    "TableRule",
    "ValidationReport",
    "contract_from_toml",
    "contract_to_toml",
    "infer_contract",
    "logical_dtype",
    "profile_frame",
    "read_dataset",
    "scan_dataset",
    "validate",
]
