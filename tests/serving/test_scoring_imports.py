"""A scoring process skips SciPy's docstring rendering and scikit-learn's search for a
pandas that is not installed; a plain process (the probe's other half) does both, and
the two compute the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workbench.modelfile import dump_model

ADDED_NOTE = "has experimental support for Python Array API Standard"
"""What SciPy's ``xp_capabilities`` appends to a decorated function's docstring."""

PROBE = """
import json, sys
skipped = None
if sys.argv[1] == "scoring":
    from workbench.serving.scoring_imports import import_scoring, skip_docstring_rendering
    skipped = skip_docstring_rendering()
    import_scoring()
import importlib.machinery, importlib.util
import numpy as np
import scipy.stats
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
doc = scipy.stats.rankdata.__doc__
x = np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.2], [0.1, 0.8]])
model = make_pipeline(SimpleImputer(), LogisticRegression()).fit(x, [0, 1, 1, 0])
searches = []
path_search = importlib.machinery.PathFinder.find_spec
def counted(name, *args, **kwargs):
    searches.append(name)
    return path_search(name, *args, **kwargs)
importlib.machinery.PathFinder.find_spec = counted
proba = model.predict_proba(x).round(6).tolist()
importlib.machinery.PathFinder.find_spec = path_search
print(json.dumps({
    "skipped": skipped,
    "noted": sys.argv[2] in doc,
    "summary": doc.strip().splitlines()[0],
    "ranks": scipy.stats.rankdata([3, 1, 2]).tolist(),
    "proba": proba,
    "pandas_searches": searches.count("pandas"),
    "pandas_installed": importlib.util.find_spec("pandas") is not None,
}))
"""


def _probe(kind: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, kind, ADDED_NOTE], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_scoring_process_keeps_scipy_docstrings_as_written_and_computes_the_same() -> None:
    plain, scoring = _probe("plain"), _probe("scoring")
    assert plain["noted"] is True  # SciPy renders its note where nothing is skipped
    assert scoring["skipped"] is True
    assert scoring["noted"] is False
    assert scoring["summary"] == plain["summary"]  # the docstring itself is kept
    assert scoring["ranks"] == plain["ranks"] == [3.0, 1.0, 2.0]
    assert scoring["proba"] == plain["proba"]


def test_a_scoring_process_asks_is_pandas_na_without_searching_for_pandas() -> None:
    """scikit-learn's ``is_pandas_na`` imports pandas on each call (an imputer's tags):
    without pandas installed, a failed search of ``sys.path`` each time. A scoring
    process answers it without importing; what is left is the imputer's own mask
    (``sklearn.utils._mask``), one search per transform."""
    plain, scoring = _probe("plain"), _probe("scoring")
    if not plain["pandas_installed"]:  # installed, the first import is cached for both
        assert isinstance(plain["pandas_searches"], int) and plain["pandas_searches"] > 4
        assert scoring["pandas_searches"] < plain["pandas_searches"] / 2
    assert scoring["proba"] == plain["proba"]


def test_scoring_imports_hold_out_the_ensembles_that_a_forest_then_loads(
    tmp_path: Path,
) -> None:
    """skops would import ``sklearn.ensemble`` for one internal type; a scoring process
    imports it only when a forest's or a boosting model's file loads."""
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

    x, y = [[0.0, 1.0], [1.0, 0.0], [0.9, 0.1], [0.2, 0.7]] * 10, [0, 1, 1, 0] * 10
    expected = []
    for index, model in enumerate(
        (
            RandomForestClassifier(n_estimators=3, random_state=0),
            HistGradientBoostingClassifier(max_iter=3),
        )
    ):
        model.fit(x, y)
        (tmp_path / f"{index}.skops").write_bytes(dump_model(model))
        expected.append(model.predict_proba(x).round(9).tolist())
    probe = (
        "import json, sys; from pathlib import Path; "
        "from workbench.serving.scoring_imports import import_scoring; import_scoring(); "
        "from workbench.modelfile import load_model; "
        "before = 'sklearn.ensemble' in sys.modules; "
        "x = json.loads(sys.argv[2]); "
        "out = [load_model(Path(sys.argv[1]) / f'{i}.skops').predict_proba(x).round(9).tolist() "
        "for i in range(2)]; "
        "print(json.dumps({'before': before, 'out': out}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), json.dumps(x)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["before"] is False
    assert result["out"] == expected
