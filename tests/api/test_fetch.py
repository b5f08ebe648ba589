"""What a front end's refresh fetches, on the TUI's fixed story (no engine needed)."""

from __future__ import annotations

from tests.tui.fixed_api import FixedApi
from workbench.api.fetch import fetch_features, fetch_lineage, fetch_models, fetch_validations


def test_the_models_refresh_reads_versions_decisions_and_serving_only_when_asked() -> None:
    plain = fetch_models(FixedApi())
    assert [m.version for m in plain.models] == [2, 1] and plain.serving is None
    production, candidate = plain.production(), plain.newest_candidate()
    assert production is not None and production.version == 1
    assert candidate is not None and candidate.version == 2
    assert plain.candidates() == [candidate]
    decision = plain.last_decision(1)
    assert decision is not None and decision.actor == "alice"
    assert plain.last_decision(2) is None and plain.get(3) is None
    assert fetch_models(FixedApi(), serving=True).serving is not None


def test_the_lineage_refresh_shows_the_wanted_version_else_the_newest() -> None:
    wanted = fetch_lineage(FixedApi(), 1)
    assert wanted.version == 1 and wanted.tree is not None and wanted.tree.key == "1"
    for unknown in (None, 99):
        newest = fetch_lineage(FixedApi(), unknown)
        assert newest.version == 2 and [m.version for m in newest.models] == [2, 1]


def test_the_features_refresh_looks_an_entity_up_only_when_a_key_is_given() -> None:
    assert fetch_features(FixedApi(), "").lookup is None
    found = fetch_features(FixedApi(), "cust-0090", view="not-a-view")  # falls back to the first
    assert found.lookup is not None and found.lookup.view == "customer_activity"


def test_a_validation_report_that_cannot_be_read_says_why_without_failing_the_others() -> None:
    read, missing = fetch_validations(FixedApi(), [1, 7])
    assert read.report is not None and not read.problem
    assert missing.report is None and "dataset 7" in missing.problem
