"""The Features tab and ``wb.features(view, key)`` on a workspace with feature views."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from workbench.notebook import features_panel
from workbench.notebook.session import Workbench, connect

from .conftest import REPO, wait_for_trait


@pytest.fixture
def wb(workspace_copy: Path) -> Iterator[Workbench]:
    """The trained copy with the sample data's feature views, built from its datasets."""
    shutil.copyfile(REPO / "sample_data" / "features.py", workspace_copy / "features.py")
    config = workspace_copy / "workbench.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["features"]["path"] = "features.py"  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    with connect(workspace_copy, watch=False) as session:
        session.materialize_features()
        yield session


def test_the_features_tab_lists_views_and_looks_up_an_entity(wb: Workbench) -> None:
    found = wb.features("customer_activity", "cust-0001")
    assert found.latest is not None and found.latest["customer_id"] == "cust-0001"
    assert {"n_tx_last_24h", "n_tx_last_7d", "mean_amount_7d"} <= set(found.latest)

    tab = features_panel(wb.api, live=False)
    assert tab.table.row_keys == ("customer_activity",)
    tab.key.value = "cust-0001"
    html = wait_for_trait(tab.entity, "value", lambda value: "cust-0001" in value)
    assert "n_tx_last_24h" in html and found.latest["timestamp"] in html
    tab.key.value = "nobody"
    wait_for_trait(tab.entity, "value", lambda value: "No stored features for nobody" in value)
    tab.close()
