"""Stored features over the control API: ``GET /features/{view}/{key}`` with the token,
and the generated ``features`` / ``feature_views`` operations for a remote client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import tomlkit

from workbench.api import LocalApi
from workbench.api.control import ControlServer
from workbench.api.remote import RemoteApi
from workbench.core.errors import FeatureError
from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def featured(trained: Path) -> Iterator[LocalApi]:
    """The trained copy with the sample data's feature views, built from its datasets."""
    shutil.copyfile(REPO / "sample_data" / "features.py", trained / "features.py")
    config = trained / "workbench.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["features"]["path"] = "features.py"  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    api = LocalApi(Engine(open_workspace(trained)))
    try:
        api.materialize_features()
        yield api
    finally:
        api.close()


@pytest.fixture
def served(featured: LocalApi) -> Iterator[ControlServer]:
    server = ControlServer(featured).start()
    try:
        yield server
    finally:
        server.stop()


def test_an_entitys_features_are_read_by_path_with_the_token(
    featured: LocalApi, served: ControlServer
) -> None:
    url = f"{served.url}/features/customer_activity/cust-0001"
    token = {"Authorization": f"Bearer {served.token}"}

    answer = httpx.get(url, headers=token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["view"] == "customer_activity" and body["key"] == "cust-0001"
    assert body["latest"] == featured.features("customer_activity", "cust-0001").latest

    assert httpx.get(url).status_code == 401
    unknown = httpx.get(f"{served.url}/features/nope/cust-0001", headers=token)
    assert unknown.status_code == 404 and "no feature view 'nope'" in unknown.json()["message"]


def test_a_remote_client_reads_the_same_features_and_errors(
    featured: LocalApi, served: ControlServer
) -> None:
    remote = RemoteApi.attach(served.url, served.token)
    try:
        assert remote.features("customer_activity", "cust-0002") == featured.features(
            "customer_activity", "cust-0002"
        )
        assert [v.name for v in remote.feature_views()] == ["customer_activity"]
        with pytest.raises(FeatureError, match="no feature view 'nope'"):
            remote.features("nope", "x")
    finally:
        remote.close()
