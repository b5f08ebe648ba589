"""The control API's edges, as a careless or hostile token holder meets them.

Every refusal is a JSON 4xx that names the argument; nothing reaches DuckDB or the
recursion limit, and no file outside the workspace is moved. The last tests fuzz every
operation's body and query with hypothesis over real HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.api import LocalApi, codec, operations
from workbench.api.control import MAX_DEPTH, ControlServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(
    trained_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ControlServer, LocalApi]]:
    """One control API over a copy of the trained workspace for the whole module (the
    fuzzer sends hundreds of requests; a server per example would be most of the time)."""
    import shutil

    from workbench.core.workspace import open_workspace
    from workbench.engine.engine import Engine

    root = tmp_path_factory.mktemp("edges") / "ws"
    shutil.copytree(trained_template, root)
    api = LocalApi(Engine(open_workspace(root)))
    server = ControlServer(api).start()
    try:
        yield server, api
    finally:
        server.stop()
        api.close()


def _post(server: ControlServer, name: str, body: bytes | str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    return httpx.post(f"{server.url}/api/{name}", headers=headers, content=body, timeout=30)


def _get(server: ControlServer, name: str, params: dict[str, str]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.token}"}
    return httpx.get(f"{server.url}/api/{name}", headers=headers, params=params, timeout=30)


def _refused(response: httpx.Response, argument: str) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["message"]
    assert argument in message, message
    return message


def test_a_deeply_nested_body_is_a_json_422(
    served: tuple[ControlServer, LocalApi],
) -> None:
    server, _ = served
    deep = "[" * 100_000 + "]" * 100_000
    assert _post(server, "approve", deep).status_code == 422
    nested = json.dumps({"version": 1, "comment": _nested(MAX_DEPTH + 5)})
    assert "nested deeper than 32 levels" in _refused(_post(server, "approve", nested), "comment")
    query = _get(server, "compare", {"run_ids": "[" * 5_000 + "]" * 5_000})
    assert query.status_code == 422 and query.json()["error_code"] == "bad_argument"


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_a_50_digit_id_is_refused_naming_the_argument(
    served: tuple[ControlServer, LocalApi],
) -> None:
    server, _ = served
    huge = "9" * 50
    body = _refused(_post(server, "approve", f'{{"version": {huge}}}'), "approve(version=)")
    query = _refused(_get(server, "run_detail", {"run_id": huge}), "run_detail(run_id=)")
    for message in (body, query):
        assert "out of range" in message and "duckdb" not in message.lower()


def test_ingest_refuses_a_path_outside_the_workspace_and_moves_nothing(
    served: tuple[ControlServer, LocalApi], tmp_path: Path
) -> None:
    server, _ = served
    mine = tmp_path / "mine.csv"
    mine.write_text("a,is_fraud\n1,0\n")
    response = _post(server, "ingest", json.dumps({"path": str(mine), "move": True}))
    assert "outside the workspace" in _refused(response, "ingest(path=)")
    assert mine.read_text() == "a,is_fraud\n1,0\n"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
POSTS = sorted(name for name, verb in operations().items() if verb == "POST")
GETS = sorted(name for name, verb in operations().items() if verb == "GET")
# Operations that would change what the other examples see or take long: their bodies are
# fuzzed only with argument names they do not have (refused before the engine is called).
SLOW = {"run", "serve", "watch", "reproduce", "clear_cache"}
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def _answered_cleanly(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["error_code"] and body["message"]


def _keys(name: str) -> st.SearchStrategy[str]:
    """Mostly the operation's real parameter names (so the engine is reached), some not."""
    real = [k for k in codec.signature(name).parameters if k != "self"]
    return st.sampled_from(real) | st.text(max_size=8) if real else st.text(max_size=8)


@FUZZ
@given(data=st.data(), name=st.sampled_from(POSTS))
def test_fuzzed_bodies_never_get_a_5xx(
    served: tuple[ControlServer, LocalApi], data: st.DataObject, name: str
) -> None:
    server, _ = served
    body = data.draw(st.dictionaries(_keys(name), JSON, max_size=4))
    if name in SLOW:
        body = {f"not_a_parameter_{k}": v for k, v in body.items()} or {"not_a_parameter": 1}
    _answered_cleanly(_post(server, name, json.dumps(body)))


@FUZZ
@given(data=st.data(), name=st.sampled_from(GETS))
def test_fuzzed_queries_never_get_a_5xx(
    served: tuple[ControlServer, LocalApi], data: st.DataObject, name: str
) -> None:
    server, _ = served
    texts = st.text(max_size=40) | st.integers().map(str) | JSON.map(json.dumps)
    params = data.draw(st.dictionaries(_keys(name), texts, max_size=3))
    _answered_cleanly(_get(server, name, params))
