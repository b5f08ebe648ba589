"""Loading verifies the artifact and the signature; the holder swaps models atomically."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from workbench.core.errors import ModelFileError, ServingError
from workbench.serving import LoadedModel, ModelHolder, ServingManifest
from workbench.serving.loaded import placeholder_frame


def test_load_returns_the_manifest_model_ready_to_predict(
    loaded_model: LoadedModel,
    manifest: ServingManifest,
    sample_rows: pl.DataFrame,
    reference_estimator: Any,
) -> None:
    assert (loaded_model.name, loaded_model.version) == ("churn", 3)
    assert loaded_model.signature == manifest.parsed_signature()
    assert list(loaded_model.estimator.predict(sample_rows)) == list(
        reference_estimator.predict(sample_rows)
    )


def test_a_model_file_with_one_changed_byte_refuses_to_load(
    manifest: ServingManifest, model_file: Path, tmp_path: Path
) -> None:
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "model.skops"
    tampered.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256"):
        LoadedModel.load(replace(manifest, artifact_path=str(tampered)))


def test_a_missing_model_file_refuses_to_load(manifest: ServingManifest, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot read"):
        LoadedModel.load(replace(manifest, artifact_path=str(tmp_path / "gone.skops")))


def test_a_signature_that_disagrees_with_the_fitted_columns_is_refused(
    manifest: ServingManifest,
) -> None:
    signature = dict(manifest.signature)
    signature["inputs"] = [*signature["inputs"][:2], {"name": "region", "dtype": "string"}]
    with pytest.raises(ServingError, match="fitted on columns"):
        LoadedModel.load(replace(manifest, signature=signature))


def test_placeholder_frame_has_one_row_of_each_signature_dtype(loaded_model: LoadedModel) -> None:
    frame = placeholder_frame(loaded_model.signature)
    assert frame.shape == (1, 3)
    assert frame.dtypes == [pl.Float64, pl.Int64, pl.String]


class Unpredictable:
    """An estimator whose predict is broken for every input (not an input problem)."""

    feature_names_in_ = ("amount", "age", "channel")

    def predict(self, frame: pl.DataFrame) -> Any:
        raise AttributeError("half-loaded estimator")


def test_warm_up_refuses_a_model_that_cannot_predict(loaded_model: LoadedModel) -> None:
    broken = replace(loaded_model, estimator=Unpredictable())
    with pytest.raises(ServingError, match="warm-up"):
        broken.warm_up()


class RejectsPlaceholder:
    """Like OneHotEncoder(handle_unknown="error"): the placeholder's "" is an unknown category."""

    def predict(self, frame: pl.DataFrame) -> Any:
        raise ValueError("Found unknown categories [''] in column 2")


def test_warm_up_tolerates_a_model_that_only_rejects_the_placeholder_row(
    loaded_model: LoadedModel, caplog: pytest.LogCaptureFixture
) -> None:
    replace(loaded_model, estimator=RejectsPlaceholder()).warm_up()
    assert "refused its placeholder row" in caplog.text


def test_swap_serves_the_new_model_and_returns_the_old_one(loaded_model: LoadedModel) -> None:
    holder = ModelHolder(loaded_model)
    newer = replace(loaded_model, version=4)
    assert holder.swap(newer) is loaded_model
    assert holder.current is newer
