"""Every front end shows a time in UTC, whatever the machine's time zone: a run seen at
09:15 in the TUI reads 09:15 in the notebook and the CLI too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from workbench.cli.render import _when
from workbench.core.formatting import utc_stamp
from workbench.notebook.views.formatting import stamp as notebook_stamp
from workbench.tui.formatting import stamp as tui_stamp

STORED = datetime(2026, 12, 3, 9, 15, 42)  # the store keeps naive UTC
AWARE = STORED.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))  # same instant


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize("value", [STORED, AWARE])
def test_each_front_end_shows_the_same_utc_time(value: datetime) -> None:
    assert _when(value) == notebook_stamp(value) == "2026-12-03 09:15:42"
    assert tui_stamp(value) == "2026-12-03 09:15"  # a narrow cell: minutes


def test_no_time_is_a_dash() -> None:
    assert utc_stamp(None) == _when(None) == tui_stamp(None) == notebook_stamp(None) == "-"
