"""How values read on screen: relative times, durations, the key metric."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workbench.tui.formatting import ago, key_metric, seconds, span

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=5), "5s ago"),
        (timedelta(minutes=3, seconds=59), "3 min ago"),
        (timedelta(hours=2, minutes=59), "2 h ago"),
        (timedelta(days=3, hours=1), "3 d ago"),
        (timedelta(seconds=-30), "0s ago"),
    ],
)
def test_ago_uses_the_coarsest_unit_that_says_something(delta: timedelta, shown: str) -> None:
    assert ago(NOW - delta, NOW) == shown


def test_ago_reads_naive_times_as_utc() -> None:
    assert ago(datetime(2026, 1, 15, 11, 0), NOW) == "1 h ago"
    assert ago(None, NOW) == "-"


@pytest.mark.parametrize(
    ("value", "shown"), [(0.0123, "12ms"), (4.25, "4.2s"), (185.0, "3m05s"), (None, "-")]
)
def test_seconds_reads_like_a_person_would_say_it(value: float | None, shown: str) -> None:
    assert seconds(value) == shown


def test_span_of_a_running_run_counts_up_to_now() -> None:
    assert span(NOW - timedelta(seconds=90), None, NOW) == "1m30s"
    assert span(None, None, NOW) == "-"


def test_key_metric_prefers_the_gate_metric_and_takes_the_best_candidate() -> None:
    metrics = {"rf.accuracy": 0.99, "rf.roc_auc": 0.85, "lr.roc_auc": 0.88}
    assert key_metric(metrics) == ("roc_auc", 0.88)


def test_key_metric_takes_the_smallest_error() -> None:
    assert key_metric({"a.rmse": 3.0, "b.rmse": 2.5}) == ("rmse", 2.5)


def test_key_metric_falls_back_to_any_metric_or_none() -> None:
    assert key_metric({"zeta": 1.0, "alpha": 2.0}) == ("alpha", 2.0)
    assert key_metric({}) is None
