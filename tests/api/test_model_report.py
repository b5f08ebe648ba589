"""A model version's quality report through the engine, in process and over the control API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from workbench.api import LocalApi
from workbench.api.control import ControlServer
from workbench.api.remote import RemoteApi
from workbench.core.errors import RegistryError
from workbench.engine.runs.runner import RegistrySink

from ..model_reports import forget_report, record_report


@pytest.fixture
def remote(control: ControlServer) -> Iterator[RemoteApi]:
    """A client of ``control``, as another process would attach."""
    client = RemoteApi.attach(control.url, control.token)
    try:
        yield client
    finally:
        client.close()


def test_a_recorded_report_is_read_back_and_announced(local_api: LocalApi) -> None:
    with local_api.engine.bus.listen() as inbox:
        report = record_report(local_api.engine, 2)
    assert local_api.model_report(2) == report
    assert report.task == "binary" and report.confusion is not None
    assert report.confusion.total == report.rows == 1_500
    event = inbox.get(timeout=5)
    assert (event.kind, event.payload["version"]) == ("model.reported", 2)


def test_a_version_without_a_report_has_none_and_an_unknown_version_is_an_error(
    local_api: LocalApi,
) -> None:
    assert local_api.model_report(1) is not None, "the register step recorded one"
    forget_report(local_api.engine, 1)
    assert local_api.model_report(1) is None
    with pytest.raises(RegistryError, match="no model version 99"):
        local_api.model_report(99)
    with pytest.raises(RegistryError, match="no model version 99"):
        local_api.engine.record_quality(99, record_report(local_api.engine, 1))


def test_the_registry_sink_records_the_report_for_the_pipeline(local_api: LocalApi) -> None:
    report = record_report(local_api.engine, 3)
    local_api.engine.store.quality.save(3, record_report(local_api.engine, 1))  # stale one
    engine = local_api.engine
    RegistrySink(engine.store, engine.emit, engine.record_quality, run_id=3).record_quality(
        3, report
    )
    assert local_api.model_report(3) == report


def test_the_remote_client_gets_the_same_report(
    local_api: LocalApi, control: ControlServer, remote: RemoteApi
) -> None:
    report = record_report(local_api.engine, 2)
    forget_report(local_api.engine, 1)
    assert remote.model_report(2) == report
    assert remote.model_report(1) is None
    with pytest.raises(RegistryError, match="no model version 42"):
        remote.model_report(42)
    headers = {"Authorization": f"Bearer {control.token}"}
    by_hand = httpx.get(f"{control.url}/api/model_report?version=2", headers=headers)
    assert by_hand.status_code == 200
    assert by_hand.json()["confusion"]["labels"] == ["0", "1"]
    wrong = httpx.get(f"{control.url}/api/model_report?version=two", headers=headers)
    assert wrong.status_code == 422 and "version" in wrong.json()["message"]
