"""Every default pipeline must survive the model file: allowlisted types, same answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench.modelfile import dump_model, load_model
from workbench.modelfile.skops_io import sha256_bytes

from .conftest import Fitted
from .frames import ALL_CANDIDATES, TARGET


@pytest.mark.parametrize(("task", "name"), ALL_CANDIDATES)
def test_candidate_pipeline_round_trips_with_identical_predictions(
    fitted: dict[tuple[str, str], Fitted], task: str, name: str, tmp_path: Path
) -> None:
    case = fitted[(task, name)]
    data = dump_model(case.model.estimator)  # raises if any type is off the allowlist
    path = tmp_path / f"{task}-{name}.skops"
    path.write_bytes(data)
    loaded = load_model(path, expected_sha256=sha256_bytes(data))
    features = case.test.drop(TARGET)
    np.testing.assert_array_equal(loaded.predict(features), case.model.estimator.predict(features))
    if task != "regression":
        np.testing.assert_array_equal(
            loaded.predict_proba(features), case.model.estimator.predict_proba(features)
        )
        np.testing.assert_array_equal(loaded.classes_, case.model.estimator.classes_)
