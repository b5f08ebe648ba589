"""Shared shapes for the validation tests: small data files written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteFile = Callable[[str, bytes | str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write ``content`` (bytes exactly, or text as UTF-8) to ``tmp_path / name``."""

    def write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


TRANSACTIONS_CSV = """\
id,ts,amount,status,country,churned
1,2026-01-01 09:00:00,12.5,paid,DE,false
2,2026-01-01 10:30:00,99.0,paid,FR,false
3,2026-01-02 11:00:00,5.25,refunded,DE,true
4,2026-01-03 12:15:00,250.0,paid,IT,false
5,2026-01-04 08:45:00,,pending,FR,true
6,2026-01-05 17:20:00,42.0,paid,DE,false
"""
"""Six transactions: an id, a timestamp, a nullable amount, two categoricals, a target."""


@pytest.fixture
def transactions_csv(write_file: WriteFile) -> Path:
    """A small, clean transactions file."""
    return write_file("transactions.csv", TRANSACTIONS_CSV)
