"""Every default pipeline must survive the model file: allowlisted types, same answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.core.errors import ModelFileError
from workbench.modelfile import dump_model, load_model, loads_model
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


def _svc_bytes() -> bytes:
    """A fitted scikit-learn estimator that skops would trust by default but we do not."""
    import skops.io as sio
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    features, target = load_iris(return_X_y=True)
    return bytes(sio.dumps(SVC().fit(features, target)))


def test_a_scikit_learn_estimator_off_the_allowlist_is_refused_at_save_and_at_load() -> None:
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    features, target = load_iris(return_X_y=True)
    with pytest.raises(ModelFileError, match=r"outside the skops allowlist: sklearn\.svm"):
        dump_model(SVC().fit(features, target))
    with pytest.raises(ModelFileError, match=r"untrusted types: sklearn\.svm\._classes\.SVC"):
        loads_model(_svc_bytes())


SKOPS_FIRST = """
import skops.io as sio
from sklearn.datasets import load_iris
from sklearn.svm import SVC
from workbench.core.errors import ModelFileError
from workbench.modelfile import loads_model

features, target = load_iris(return_X_y=True)
try:
    loads_model(sio.dumps(SVC().fit(features, target)))
except ModelFileError as exc:
    print("refused:", exc)
"""


def test_the_allowlist_holds_when_skops_was_imported_before_workbench() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SKOPS_FIRST], capture_output=True, text=True, check=True
    ).stdout
    assert "refused: model bytes holds untrusted types: sklearn.svm._classes.SVC" in out


def test_loading_a_model_imports_only_the_modules_its_types_live_in(tmp_path: Path) -> None:
    """skops's estimator scan would import all of scikit-learn, pytest and dask.array.

    (skops itself imports a few estimator modules, such as ``sklearn.cluster``.)
    """
    probe = (
        "import sys; from workbench.modelfile import load_model; "
        "load_model(__import__('pathlib').Path(sys.argv[1])); "
        "print(sorted(m for m in ('pytest', 'dask', 'sklearn.neural_network', "
        "'sklearn.semi_supervised', 'sklearn.gaussian_process') "
        "if m in sys.modules))"
    )
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "m.skops"
    path.write_bytes(dump_model(LogisticRegression().fit([[0.0], [1.0]], [0, 1])))
    out = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
