"""The control API in one process: token, host check, generated routes, errors, events."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from workbench.api import LocalApi, WorkbenchApi, operations
from workbench.api.control import ControlServer
from workbench.api.remote import RemoteApi
from workbench.api.stream import EventStream
from workbench.core.errors import RegistryError, WorkbenchError
from workbench.core.records import EventRecord

WAIT_S = 10.0


@pytest.fixture
def remote(control: ControlServer) -> Iterator[RemoteApi]:
    """A client of ``control`` over real HTTP."""
    client = RemoteApi.attach(control.url, control.token)
    try:
        yield client
    finally:
        client.close()


class Inbox:
    """Events delivered to a subscriber, with a way to wait for the n-th one."""

    def __init__(self) -> None:
        self.events: list[EventRecord] = []
        self._changed = threading.Condition()

    def __call__(self, event: EventRecord) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, count: int) -> list[EventRecord]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.events) >= count, WAIT_S), self.events
            return list(self.events)


def _auth(server: ControlServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def test_requests_without_the_right_token_get_401(control: ControlServer) -> None:
    missing = httpx.get(f"{control.url}/api/models")
    wrong = httpx.get(f"{control.url}/api/models", headers={"Authorization": "Bearer nope"})
    stream = httpx.get(f"{control.url}/api/events/stream")
    for response in (missing, wrong, stream):
        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"
    granted = httpx.get(f"{control.url}/api/models", headers=_auth(control))
    assert granted.status_code == 200
    assert [m["version"] for m in granted.json()] == [3, 2, 1]


def test_a_host_header_that_is_not_loopback_is_refused(control: ControlServer) -> None:
    response = httpx.get(
        f"{control.url}/api/status",
        headers={**_auth(control), "Host": f"evil.example:{control.port}"},
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "bad_host"
    local = httpx.get(
        f"{control.url}/api/status", headers={**_auth(control), "Host": f"localhost:{control.port}"}
    )
    assert local.status_code == 200


def test_the_control_api_listens_on_loopback_only(control: ControlServer) -> None:
    table = Path("/proc/net/tcp")
    if not table.exists():
        pytest.skip("needs Linux /proc/net/tcp")
    listening = [
        line.split()[1]
        for line in table.read_text().splitlines()[1:]
        if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == control.port
    ]
    assert listening == [f"0100007F:{control.port:04X}"]


def test_every_operation_is_published_with_its_http_verb(control: ControlServer) -> None:
    client = httpx.Client(base_url=control.url, headers=_auth(control))
    for name, verb in operations().items():
        other = "POST" if verb == "GET" else "GET"
        response = client.request(other, f"/api/{name}")
        assert response.status_code == 405, name  # the route exists, for the other verb
        assert response.json()["error_type"] == "WorkbenchError"
    unknown = client.get("/api/no_such_thing")
    client.close()
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "unknown_operation"


def test_the_remote_client_has_every_operation_with_the_interface_signature() -> None:
    for name in operations():
        generated = getattr(RemoteApi, name)
        assert inspect.signature(generated) == inspect.signature(getattr(WorkbenchApi, name))
        assert generated.__doc__ == getattr(WorkbenchApi, name).__doc__
    assert not RemoteApi.__abstractmethods__


def test_remote_queries_return_what_local_queries_return(
    local_api: LocalApi, control: ControlServer, remote: RemoteApi
) -> None:
    local_api.approve(1, "good enough")
    assert remote.status() == local_api.status()
    assert remote.runs(limit=2) == local_api.runs(limit=2)
    assert remote.run_detail(2) == local_api.run_detail(2)
    assert remote.models("approved") == local_api.models("approved")
    assert remote.approvals(1) == local_api.approvals(1)
    assert remote.lineage(1) == local_api.lineage(1)
    assert remote.events(after_id=3, limit=5) == local_api.events(after_id=3, limit=5)
    assert remote.compare([1, 3]) == local_api.compare([1, 3])
    by_hand = httpx.get(f"{control.url}/api/compare?run_ids=1&run_ids=3", headers=_auth(control))
    assert by_hand.json()["run_ids"] == [1, 3]
    assert remote.example_request() == local_api.example_request()


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.approve(99),
        lambda api: api.lineage(42),
        lambda api: api.run_detail(1234),
        lambda api: api.promote(3, "staging"),
        lambda api: api.ingest("ws/incoming/no-such-file.csv"),
    ],
    ids=[
        "approve-unknown",
        "lineage-unknown",
        "run-unknown",
        "promote-candidate",
        "ingest-missing",
    ],
)
def test_engine_errors_are_raised_remotely_as_the_same_class(
    call: object,
    local_api: LocalApi,
    remote: RemoteApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths resolve on the client's side, here
    assert callable(call)
    with pytest.raises(WorkbenchError) as local:
        call(local_api)
    with pytest.raises(WorkbenchError) as far:
        call(remote)
    assert type(far.value) is type(local.value)
    assert str(far.value) == str(local.value)


def test_bad_arguments_are_refused_with_422(control: ControlServer, remote: RemoteApi) -> None:
    body = httpx.post(
        f"{control.url}/api/approve", headers=_auth(control), content=json.dumps({"version": "x"})
    )
    query = httpx.get(f"{control.url}/api/runs?limit=many", headers=_auth(control))
    garbage = httpx.post(f"{control.url}/api/approve", headers=_auth(control), content=b"{nope")
    for response in (body, query, garbage):
        assert response.status_code == 422
        assert response.json()["error_code"] == "bad_argument"
    with pytest.raises(TypeError):
        remote.approve()  # type: ignore[call-arg]  # refused before anything is sent


def _read_frames(control: ControlServer, after: int, count: int) -> list[tuple[str, str]]:
    frames: list[tuple[str, str]] = []
    url = f"{control.url}/api/events/stream?after={after}"
    with httpx.stream("GET", url, headers=_auth(control), timeout=WAIT_S) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        fields: dict[str, str] = {}
        for line in response.iter_lines():
            if line:
                key, _, value = line.partition(": ")
                fields[key] = value
                continue
            frames.append((fields.get("event", "message"), fields.get("data", "")))
            fields = {}
            if len(frames) == count:
                break
    return frames


def test_the_event_stream_resumes_after_a_given_id(
    local_api: LocalApi, control: ControlServer
) -> None:
    logged = local_api.events(limit=1000)
    after = logged[-4].id
    frames = _read_frames(control, after, 4)
    assert frames[0] == ("ready", json.dumps({"last_id": after}))
    ids = [json.loads(data)["id"] for _, data in frames[1:]]
    assert ids == [e.id for e in logged[-3:]]


def test_a_subscriber_receives_new_events_in_order(local_api: LocalApi, remote: RemoteApi) -> None:
    inbox = Inbox()
    unsubscribe = remote.subscribe(inbox)
    try:
        local_api.approve(1)
        local_api.approve(2)
        local_api.rollback("back to one")
        events = inbox.wait_for(3)
    finally:
        unsubscribe()
    assert [e.kind for e in events] == ["model.approved", "model.approved", "alias.moved"]
    assert events == local_api.events(after_id=events[0].id - 1, limit=3)


def test_the_stream_reconnects_and_resumes_by_id_after_the_server_restarts(
    local_api: LocalApi, control: ControlServer
) -> None:
    inbox = Inbox()
    stream = EventStream(control.url, control.token, inbox).start()
    try:
        local_api.approve(1)
        first = inbox.wait_for(1)[0]
        control.stop()
        local_api.approve(2)  # while nobody serves the stream
        local_api.reject(3)
        again = ControlServer(local_api, token=control.token, port=control.port).start()
        try:
            events = inbox.wait_for(3)
        finally:
            again.stop()
    finally:
        stream.stop()
    assert [e.id for e in events] == [first.id, first.id + 1, first.id + 2]
    assert [e.kind for e in events] == ["model.approved", "model.approved", "model.rejected"]


def test_after_unsubscribing_nothing_more_is_delivered(
    local_api: LocalApi, control: ControlServer
) -> None:
    inbox = Inbox()
    stream = EventStream(control.url, control.token, inbox).start()
    local_api.approve(1)
    inbox.wait_for(1)
    stream.stop()
    stream.join(WAIT_S)
    assert not stream.alive
    local_api.approve(2)
    probe = Inbox()
    follower = EventStream(control.url, control.token, probe, after=inbox.events[0].id).start()
    try:
        probe.wait_for(1)  # the event was published and streamed to a live subscriber
    finally:
        follower.stop()
    assert len(inbox.events) == 1


def test_a_stream_with_the_wrong_token_fails_to_start(control: ControlServer) -> None:
    with pytest.raises(WorkbenchError, match="token"):
        EventStream(control.url, "wrong", Inbox()).start()


def test_stopping_the_server_ends_open_streams_and_frees_the_port(
    local_api: LocalApi, control: ControlServer
) -> None:
    stream = EventStream(control.url, control.token, Inbox()).start()
    try:
        control.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{control.url}/api/status", headers=_auth(control))
    finally:
        stream.stop()
    stream.join(WAIT_S)
    assert not stream.alive


def test_registry_errors_keep_their_message_through_the_client(remote: RemoteApi) -> None:
    with pytest.raises(RegistryError, match="no model version 99"):
        remote.approve(99)
