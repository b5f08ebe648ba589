"""A manifest round-trips through JSON, and a bad one is refused naming its field."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from workbench.core.errors import ServingError
from workbench.serving import ServingManifest, read_manifest


def test_manifest_round_trips_through_json(manifest: ServingManifest) -> None:
    assert ServingManifest.from_json(manifest.to_json()) == manifest


def test_read_manifest_reads_what_write_manifest_wrote(
    manifest: ServingManifest, manifest_file: Path
) -> None:
    assert read_manifest(manifest_file) == manifest


def test_relative_artifact_path_is_resolved_against_the_manifest_folder(
    manifest: ServingManifest, tmp_path: Path
) -> None:
    data = asdict(manifest) | {"artifact_path": "artifacts/model.skops"}
    (tmp_path / "serving.json").write_text(json.dumps(data))
    read = read_manifest(tmp_path / "serving.json")
    assert Path(read.artifact_path) == tmp_path / "artifacts" / "model.skops"


def test_metrics_may_be_omitted_and_ints_become_floats(manifest: ServingManifest) -> None:
    data = asdict(manifest)
    del data["metrics"]
    assert ServingManifest.from_json(json.dumps(data)).metrics == {}
    data["metrics"] = {"rows": 10}
    assert ServingManifest.from_json(json.dumps(data)).metrics == {"rows": 10.0}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": "3"}, "version"),
        ({"version": 0}, "version"),
        ({"version": True}, "version"),
        ({"model_name": ""}, "model_name"),
        ({"sha256": "abc"}, "sha256"),
        ({"artifact_path": None}, "artifact_path"),
        ({"metrics": {"auc": "high"}}, "metrics.auc"),
        ({"signature": {"inputs": []}}, "signature.inputs"),
        (
            {
                "signature": {
                    "inputs": [{"name": "a", "dtype": "decimal"}],
                    "target": "y",
                    "task": "binary",
                }
            },
            "signature.inputs[0].dtype",
        ),
        (
            {
                "signature": {
                    "inputs": [{"name": "a", "dtype": "int"}],
                    "target": "y",
                    "task": "ranking",
                }
            },
            "signature.task",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_invalid_field_is_named_in_the_error(
    manifest: ServingManifest, change: dict, field: str
) -> None:
    text = json.dumps(asdict(manifest) | change)
    with pytest.raises(ServingError) as caught:
        ServingManifest.from_json(text)
    assert field in str(caught.value)


def test_a_missing_field_is_named(manifest: ServingManifest) -> None:
    data = asdict(manifest)
    del data["sha256"]
    with pytest.raises(ServingError, match=r"missing field.*sha256"):
        ServingManifest.from_json(json.dumps(data))


def test_a_file_that_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    path.write_text("model_name = 'churn'")
    with pytest.raises(ServingError, match=r"serving\.json.*not valid JSON"):
        read_manifest(path)


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ServingError, match=r"nowhere\.json"):
        read_manifest(tmp_path / "nowhere.json")
