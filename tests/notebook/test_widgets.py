"""Panels on a real engine: buttons clicked, the store and the widgets asserted."""

from __future__ import annotations

from pathlib import Path

from tests.notebook.conftest import DEFECTS, wait_for_trait
from workbench.api import WorkbenchApi, connect
from workbench.notebook import (
    data_panel,
    drift_panel,
    lineage_panel,
    models_panel,
    panel,
    runs_panel,
)


def test_approve_records_the_comment_and_the_panel_shows_production(api: WorkbenchApi) -> None:
    models = models_panel(api, live=False)
    assert models.picker.value == 2  # the newest candidate comes up first
    models.comment.value = "beats v1 on recall"

    models.approve_button.click()

    decision = api.approvals(2)[-1]
    assert (decision.decision, decision.comment) == ("approve", "beats v1 on recall")
    assert api.status().production == 2
    shown = models.data.get(2)
    assert shown is not None and shown.status == "approved" and "production" in shown.aliases
    assert "approved" in models.message.value
    assert models.comment.value == ""
    assert models.approve_button.disabled and not models.promote_button.disabled
    models.close()


def test_reject_records_the_decision_and_disables_the_buttons(api: WorkbenchApi) -> None:
    models = models_panel(api, live=False)
    models.picker.value = 1
    models.comment.value = "trained on too little data"

    models.reject_button.click()

    assert [(a.version, a.decision) for a in api.approvals()] == [(1, "reject")]
    assert [m.status for m in api.models() if m.version == 1] == ["rejected"]
    assert models.picker.value == 1  # the person's choice stays selected
    assert models.data.get(1).status == "rejected"  # type: ignore[union-attr]
    assert models.approve_button.disabled and models.reject_button.disabled
    assert api.status().production is None
    models.close()


def test_rollback_serves_the_previous_version_again(api: WorkbenchApi) -> None:
    models = models_panel(api, live=False)
    for version in (1, 2):
        models.picker.value = version
        models.approve_button.click()
    assert api.status().production == 2
    assert not models.rollback_button.disabled

    models.comment.value = "v2 misbehaves"
    models.rollback_button.click()

    assert api.status().production == 1
    assert models.data.with_alias("production").version == 1  # type: ignore[union-attr]
    assert models.data.with_alias("previous").version == 2  # type: ignore[union-attr]
    assert "production is model version 1" in models.message.value
    models.close()


def test_a_refused_decision_shows_the_reason_and_changes_nothing(api: WorkbenchApi) -> None:
    models = models_panel(api, live=False)
    models.picker.value = 1
    models.reject_button.click()

    models.approve_button.click()  # v1 is rejected now: the engine refuses

    assert "Error" in models.message.value and "not a candidate" in models.message.value
    assert [a.decision for a in api.approvals(1)] == ["reject"]
    assert api.status().production is None
    models.close()


def test_promote_points_the_alias_in_the_box_at_the_selected_version(
    api: WorkbenchApi,
) -> None:
    models = models_panel(api, live=False)
    models.picker.value = 1
    models.approve_button.click()
    models.alias.value = "staging"

    models.promote_button.click()

    assert "staging" in models.data.get(1).aliases  # type: ignore[union-attr]
    assert "staging" in next(m.aliases for m in api.models() if m.version == 1)
    models.close()


def test_runs_table_gains_a_row_when_a_run_finishes_without_rerendering(
    api: WorkbenchApi,
) -> None:
    runs = runs_panel(api)
    table = runs.table
    assert table.row_keys == (2, 1)

    api.run()  # trains on this thread; the panel follows on its own

    assert wait_for_trait(table, "row_keys", lambda keys: keys[:1] == (3,)) == (3, 2, 1)
    assert runs.table is table  # the same widget, updated in place
    wait_for_trait(runs.progress, "bar_style", lambda style: style == "success")
    assert runs.selected == 3  # following the newest run
    assert runs.progress.value == runs.progress.max
    assert "Run 3" in runs.detail.value and "train_logistic_regression" in runs.detail.value
    runs.close()


def test_closing_a_panel_ends_its_subscription_and_thread(api: WorkbenchApi) -> None:
    whole = panel(api)
    feed = whole.feed
    assert feed is not None and feed.running

    whole.close()

    assert not feed.running
    assert all(tab.closed for tab in whole.tabs.values())
    before = feed.received
    api.reject(1, "after close")  # publishes an event synchronously on this thread
    assert feed.received == before
    assert whole.models.refresh() is False


def test_the_close_button_of_a_standalone_panel_stops_it(api: WorkbenchApi) -> None:
    runs = runs_panel(api)
    feed = runs.feed
    assert feed is not None and feed.running

    runs.close_button.click()

    assert runs.closed and not feed.running
    assert runs.refresh() is False


def test_the_tabbed_panel_shows_the_six_parts_of_the_loop(api: WorkbenchApi) -> None:
    whole = panel(api, live=False)
    assert whole.tab.titles == ("Runs", "Models", "Data", "Drift", "Lineage", "Features")
    assert "2 awaiting approval" in whole.header.value
    assert whole.runs.table.row_keys == (2, 1)
    assert whole.models.table.row_keys == (2, 1)
    assert whole.data.table.row_keys == (1,)
    whole.close()


def test_a_decision_in_one_place_updates_the_live_tabbed_panel(api: WorkbenchApi) -> None:
    whole = panel(api)
    whole.lineage.picker.value = 1

    api.approve(1, "approved elsewhere")  # e.g. from the TUI or the CLI

    wait_for_trait(whole.header, "value", lambda html: "production v1" in html)
    wait_for_trait(whole.lineage.tree, "value", lambda html: "approve by" in html)
    assert whole.models.data.get(1).status == "approved"  # type: ignore[union-attr]
    whole.close()


def test_data_panel_validates_a_file_and_lists_it_in_quarantine(api: WorkbenchApi) -> None:
    data = data_panel(api, live=False)
    data.path.value = str(DEFECTS)

    data.ingest_button.click()

    quarantined = api.datasets("quarantined")
    assert [d.name for d in quarantined] == [DEFECTS.name]
    assert DEFECTS.is_file()  # validated where it lies, never moved
    assert data.quarantine.row_keys == (quarantined[0].id,)
    assert "failed" in data.report.value and "amount not null" in data.report.value
    assert "checks failed" in data.quarantine.value  # the reason, from the event
    data.close()


def test_data_panel_says_what_is_wrong_with_a_missing_file(
    api: WorkbenchApi, tmp_path: Path
) -> None:
    data = data_panel(api, live=False)
    data.path.value = str(tmp_path / "nope.csv")
    data.ingest_button.click()
    assert "Error" in data.message.value and "nope.csv" in data.message.value
    data.close()


def test_drift_panel_charts_a_metric_across_versions_and_marks_production(
    api: WorkbenchApi,
) -> None:
    api.approve(1)
    drift = drift_panel(api, live=False)
    assert drift.metric.value == "roc_auc"
    assert drift.chart.value.count("<circle") == 2  # v1 and v2
    assert "not measured yet" in drift.chart.value
    assert "No drift report yet" in drift.reports.value
    drift.close()


def test_drift_panel_shows_the_report_of_a_drifted_month_as_it_arrives(
    api: WorkbenchApi, drifted_csv: Path
) -> None:
    api.approve(1)
    drift = drift_panel(api)

    outcome = api.ingest(str(drifted_csv), move=False)  # the monitor compares it

    report = api.drift_reports()[0]
    wait_for_trait(drift.reports, "row_keys", lambda keys: keys == (report.id,))
    assert outcome.status == "accepted" and "amount" in report.drifted_columns
    html = drift.columns.value
    assert "amount" in html and "<rect" in html  # per-column row and its histogram
    wait_for_trait(drift.chart, "value", lambda value: "over time" in value)
    drift.close()


def test_lineage_panel_walks_the_picked_version(api: WorkbenchApi) -> None:
    lineage = lineage_panel(api, live=False)
    assert lineage.picker.value == 2
    lineage.picker.value = 1
    assert "model version 1" in lineage.tree.value and "run 1" in lineage.tree.value
    lineage.close()


def test_panels_work_the_same_on_an_engine_attached_over_the_control_api(
    api: WorkbenchApi, workspace_copy: Path
) -> None:
    with connect(workspace_copy) as remote:  # the engine already runs: this one attaches
        assert type(remote) is not type(api)
        runs = runs_panel(remote)
        models = models_panel(remote, live=False)
        models.comment.value = "decided from a second process"

        models.approve_button.click()
        api.run()

        assert api.approvals(2)[-1].comment == "decided from a second process"
        assert models.data.get(2).status == "approved"  # type: ignore[union-attr]
        wait_for_trait(runs.table, "row_keys", lambda keys: keys[:1] == (3,))
        runs.close()
        models.close()


def test_runs_panel_charts_the_learning_curve_of_the_chosen_metric(
    curve_run: WorkbenchApi,
) -> None:
    runs = runs_panel(curve_run, live=False)
    assert runs.selected == 3
    assert runs.sections.titles == ("Metric history", "Task logs", "Validation")
    assert runs.metric.value == "curve.roc_auc", "a metric candidates are compared by"
    assert "curve.roc_auc" in runs.metric.options and "roc_auc" in runs.metric.options
    assert runs.history.value.count("<circle") == 4
    assert "4 points, steps 0 to 3" in runs.history.value

    runs.metric.value = "roc_auc"  # the final model's score, logged once by train

    assert runs.history.value.count("<circle") == 1
    assert "logged once in run 3: one point, at step 0" in runs.history.value
    runs.close()


def test_runs_panel_opens_the_failed_tasks_log_and_another_on_request(
    failed_run: WorkbenchApi,
) -> None:
    runs = runs_panel(failed_run, live=False)
    assert runs.log_task.options == ("count_rows", "explode")
    assert runs.log_task.value == "explode", "the failure first"
    assert "ValueError: boom after 3000 rows" in runs.log_text.value
    assert "Traceback (most recent call last)" in runs.log_text.value

    runs.log_task.value = "count_rows"

    assert "count_rows has no log" in runs.log_text.value
    assert ".workbench/logs/run-3/count_rows.log" in runs.log_text.value
    assert "No metric" not in runs.history.value and "logged no metric" in runs.history.value
    runs.close()


def test_runs_panel_shows_the_validation_report_of_each_dataset_the_run_read(
    api: WorkbenchApi,
) -> None:
    runs = runs_panel(api, live=False)
    assert runs.selected == 2
    html = runs.inputs.value
    assert "Dataset 1: january_3k.csv" in html
    assert "passed" in html and "checks passed on 3,000 rows" in html
    runs.close()


def test_the_panels_show_whether_production_is_being_served(
    api: WorkbenchApi, free_port: int
) -> None:
    whole = panel(api, live=False)
    assert "not serving" in whole.header.value
    assert "not serving" in whole.models.serving.value

    api.approve(1, "serve it")
    server = api.serve(port=free_port)
    whole.models.refresh()
    whole.events_arrived([])  # the header reads again as a live panel does on events

    assert "serving v1" in whole.header.value and "production v1" in whole.header.value
    assert "serving v1" in whole.models.serving.value
    assert server.url in whole.models.serving.value
    whole.close()
