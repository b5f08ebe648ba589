"""How the api reads the runs filters a person types: ages, dates and tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.api.local import LocalApi, parse_since, parse_tag
from workbench.core.errors import WorkbenchError
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine


@pytest.mark.parametrize(
    ("text", "ago"),
    [("30m", timedelta(minutes=30)), ("24h", timedelta(hours=24)), ("1.5d", timedelta(days=1.5))],
)
def test_an_age_means_that_long_ago(text: str, ago: timedelta) -> None:
    moment = parse_since(text)
    assert abs((datetime.now(UTC) - ago) - moment) < timedelta(seconds=5)


def test_a_date_without_a_zone_is_utc_and_one_with_a_zone_keeps_it() -> None:
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00+02:00") == datetime(2026, 11, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "7", "3y", ""])
def test_anything_else_says_which_forms_work(text: str) -> None:
    with pytest.raises(WorkbenchError, match="like 2026-11-01 nor an age like 24h"):
        parse_since(text)


def test_tags_are_key_equals_value() -> None:
    assert parse_tag("stage=tuning") == ("stage", "tuning")
    assert parse_tag("note=a=b") == ("note", "a=b")
    for bad in ("stage", "=x"):
        with pytest.raises(WorkbenchError, match="must look like key=value"):
            parse_tag(bad)


def test_newest_events_are_the_last_ones_oldest_first(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", target="is_fraud")
    with Engine(ws) as engine:
        api = LocalApi(engine)
        for i in range(30):
            engine.emit("note", f"note {i}")
        newest = api.events(limit=5, newest=True)
        assert [e.message for e in newest] == [f"note {i}" for i in range(25, 30)]
        assert [e.id for e in api.events(after_id=newest[2].id, limit=5, newest=True)] == [
            e.id for e in newest[3:]
        ]
