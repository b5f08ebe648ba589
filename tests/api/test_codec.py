"""The codec: every operation's real result survives JSON and comes back as its exact type."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workbench.api import LocalApi, codec, operations
from workbench.api.codec import CodecError
from workbench.core.errors import DataError, RegistryError, WorkbenchError, WorkspaceLockedError
from workbench.core.records import (
    LineageNode,
    ModelVersionRecord,
    RunRecord,
    ServerInfo,
    ServingStatus,
)
from workbench.core.vocabulary import ModelStatus, RunState

from ..model_reports import record_report
from .conftest import write_slice

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results(
    trained_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A real return value of every operation, from an engine on a copy of the template."""
    from workbench.core.workspace import open_workspace
    from workbench.engine.engine import Engine

    base = tmp_path_factory.mktemp("codec")
    shutil.copytree(trained_template, base / "ws")
    bad = base / "data" / "no_target.csv"
    bad.parent.mkdir()
    bad.write_text("amount,country\n1.5,US\n2.5,FR\n", encoding="utf-8")
    _with_feature_views(base / "ws")
    with LocalApi(Engine(open_workspace(base / "ws"))) as api:
        out: dict[str, Any] = {
            "status": api.status(),
            "ingest": [
                api.ingest(str(write_slice(base / "data", 6)), move=False),
                api.ingest(str(write_slice(base / "data", 0)), move=False),
                api.ingest(str(bad)),
            ],
            "run": api.run(data=str(base / "data" / "january_6.csv")),
            "runs": api.runs(),
            "run_detail": api.run_detail(1),
            "reproduce": api.reproduce(1),
            "compare": api.compare([1, 2]),
            "datasets": api.datasets(),
            "models": api.models(),
            "model_report": record_report(api.engine, 2),
            "approve": [api.approve(1, "first"), api.approve(2, "second")],
            "reject": api.reject(3, "worse"),
            "promote": api.promote(1, "staging", "try it"),
            "rollback": api.rollback("second was wrong"),
            "archive": api.archive(3, "superseded"),
            "approvals": api.approvals(),
            "lineage": api.lineage(1),
            "events": api.events(),
            "example_request": api.example_request(),
            # starting a scoring process is the serving tests' job; the record is plain
            "serve": ServerInfo(url="http://127.0.0.1:8000", version=1, pid=4242),
            "watch": [None, ServerInfo(url="http://127.0.0.1:8001", version=2, pid=4343)],
            "watch_on_open": True,  # watching would start a scoring process too
            "unwatch": api.unwatch(),
        }
        out["task_log"] = api.task_log(1, "validate")
        out["validation_report"] = api.validation_report(1)
        out["serving_status"] = [
            api.serving_status(),
            # a measured server's record, as a running engine reports it
            ServingStatus("running", "http://127.0.0.1:8000", 1, 4242, 12.5, 0.0042, 30.1, 377),
        ]
        key = next(iter(out["run_detail"].metrics))
        out["metric_history"] = api.metric_history(1, key)
        out["best_runs"] = api.best_runs(key)
        out["tag_run"] = api.tag_run(1, {"stage": "dev"})
        out["run_detail"] = api.run_detail(1)  # now with the tag
        out["cached_results"] = api.cached_results()
        out["drift"] = api.drift(str(base / "data" / "january_6.csv"))
        api.ingest(str(write_slice(base / "data", 8)))  # labelled data production is scored on
        out["drift_reports"] = api.drift_reports()
        out["drift_report"] = api.drift_report(out["drift_reports"][0].id)
        out["performance"] = api.performance()
        out["contract"] = api.contract()
        out["infer_contract"] = api.infer_contract(str(base / "data" / "january_6.csv"))
        out["contract_diff"] = api.contract_diff(str(base / "data" / "january_6.csv"))
        out["clear_cache"] = api.clear_cache()
        out["materialize_features"] = api.materialize_features()
        out["feature_views"] = api.feature_views()
        out["features"] = api.features("customer_activity", "cust-0001")
        yield out


def _with_feature_views(root: Path) -> None:
    """The sample data's feature views in the workspace (not joined: runs stay as they are)."""
    import tomlkit

    shutil.copyfile(REPO / "sample_data" / "features.py", root / "features.py")
    config = root / "workbench.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["features"]["path"] = "features.py"  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _roundtrip(name: str, value: Any) -> Any:
    return codec.decode_result(name, json.loads(codec.dumps(value)))


def _same(left: Any, right: Any) -> None:
    """Equal values of exactly the same types, all the way down."""
    assert type(left) is type(right), (left, right)
    if hasattr(left, "__dataclass_fields__"):
        for name in left.__dataclass_fields__:
            _same(getattr(left, name), getattr(right, name))
    elif isinstance(left, dict):
        assert left.keys() == right.keys()
        for key in left:
            _same(left[key], right[key])
    elif isinstance(left, list | tuple):
        assert len(left) == len(right)
        for a, b in zip(left, right, strict=True):
            _same(a, b)
    else:
        assert left == right


@pytest.mark.parametrize("name", sorted(operations()))
def test_every_operation_result_roundtrips_to_its_exact_types(
    name: str, results: dict[str, Any]
) -> None:
    values = results[name]  # a new operation without a real value here fails
    for value in (
        values
        if isinstance(values, list) and name in ("ingest", "approve", "watch", "serving_status")
        else [values]
    ):
        _same(_roundtrip(name, value), value)


def test_the_sample_results_cover_records_worth_decoding(results: dict[str, Any]) -> None:
    assert results["feature_views"][0].rows > 0 and results["features"].history
    assert [o.status for o in results["ingest"]] == ["accepted", "duplicate", "quarantined"]
    quarantined = results["ingest"][2].report
    assert quarantined is not None and not quarantined.passed
    assert results["lineage"].children and isinstance(results["lineage"].children[0], LineageNode)
    assert results["runs"][0].dataset_ids and results["run_detail"].tasks
    assert isinstance(results["runs"][0].created_at, datetime)
    assert "production" in results["rollback"].aliases
    assert results["drift_reports"] and results["drift_report"].columns
    assert results["drift"].columns and results["contract_diff"].checks
    assert results["performance"] and results["performance"][0].metrics
    assert results["task_log"].path.endswith("run-1/validate.log")
    assert results["validation_report"].checks and results["validation_report"].profile
    assert results["serving_status"][0].state == "not_serving"
    assert results["best_runs"] and results["run_detail"].tags[""]["stage"] == "dev"
    assert results["cached_results"] and results["clear_cache"] == len(results["cached_results"])
    report = results["model_report"]
    assert report.roc is not None and report.roc.thresholds[0] is None and report.importances


def test_nan_metrics_survive_the_wire() -> None:
    record = ModelVersionRecord(
        1,
        1,
        "ridge",
        "0" * 64,
        ModelStatus.CANDIDATE,
        {"r2": math.nan},
        {},
        True,
        datetime.now(UTC),
    )
    back = _roundtrip("approve", record)
    assert math.isnan(back.metrics["r2"])


def test_decode_names_the_field_that_has_the_wrong_type() -> None:
    data = json.loads(codec.dumps(ServerInfo("http://127.0.0.1:1", 1, 2)))
    data["version"] = "one"
    with pytest.raises(CodecError, match=r"serve\(\)\.version"):
        codec.decode_result("serve", data)
    with pytest.raises(CodecError, match="no field 'colour'"):
        codec.decode_result("serve", {**data, "version": 1, "colour": "red"})
    with pytest.raises(CodecError, match="not an ISO timestamp"):
        codec.decode("yesterday", datetime)


def test_query_arguments_parse_back_by_annotation() -> None:
    sent = codec.query_arguments("runs", codec.bind_arguments("runs", ("success",), {"limit": 5}))
    assert sent == {"status": "success", "limit": "5"}
    assert codec.decode_query("runs", sent) == {"status": "success", "limit": 5}
    assert codec.decode_query("approvals", {}) == {}
    assert codec.query_arguments("runs", {"status": None}) == {}
    sent = codec.query_arguments("compare", {"run_ids": [1, 2]})
    assert codec.decode_query("compare", sent) == {"run_ids": [1, 2]}
    assert codec.decode_query("compare", {"run_ids": "3,1"}) == {"run_ids": [3, 1]}


@pytest.mark.parametrize(
    ("name", "query", "problem"),
    [
        ("runs", {"limit": "many"}, "not a int"),
        ("runs", {"colour": "red"}, "no parameter 'colour'"),
        ("run_detail", {}, "missing a required argument"),
    ],
)
def test_bad_query_arguments_are_refused(name: str, query: dict[str, str], problem: str) -> None:
    with pytest.raises(CodecError, match=problem):
        codec.decode_query(name, query)


def test_body_arguments_are_checked_against_the_signature() -> None:
    assert codec.decode_arguments("approve", {"version": 2, "comment": "ok"}) == {
        "version": 2,
        "comment": "ok",
    }
    assert codec.decode_arguments("serve", {"allow_remote": True}) == {"allow_remote": True}
    with pytest.raises(CodecError, match="expected an integer"):
        codec.decode_arguments("approve", {"version": True})
    with pytest.raises(CodecError, match="missing a required argument"):
        codec.decode_arguments("approve", {"comment": "ok"})
    with pytest.raises(CodecError, match="JSON object"):
        codec.decode_arguments("approve", [1])


def test_errors_travel_as_their_class_in_core_errors() -> None:
    class ContractBroken(DataError):
        """A subclass outside core.errors travels as its nearest core class."""

    for raised, expected in [
        (RegistryError("no version 9"), RegistryError),
        (WorkspaceLockedError("held"), WorkspaceLockedError),
        (ContractBroken("column x"), DataError),
        (KeyError("x"), WorkbenchError),
    ]:
        body = json.loads(json.dumps(codec.error_body(raised)))
        again = codec.error_from_body(body, "fallback")
        assert type(again) is expected
        assert str(again) == str(raised)
    assert codec.error_body(WorkspaceLockedError("held"))["error_code"] == "workspace_locked"
    assert str(codec.error_from_body("<html>", "HTTP 502")) == "HTTP 502"


def test_vocabulary_words_travel_as_plain_strings_and_come_back_as_members() -> None:
    record = RunRecord(
        1, "tabular", "manual", RunState.SUCCESS, datetime.now(UTC), None, None, None
    )
    data = json.loads(codec.dumps(record))
    assert data["status"] == "success" and type(codec.encode(record)["status"]) is str
    back = codec.decode(data, RunRecord)
    assert back == record and back.status is RunState.SUCCESS
    with pytest.raises(CodecError, match=r"status: 'succeeded' is not one of queued, running"):
        codec.decode({**data, "status": "succeeded"}, RunRecord)
