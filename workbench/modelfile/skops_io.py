"""Save and load estimators with skops against a versioned allowlist of trusted types.

skops trusts, on top of any list it is given, every scikit-learn estimator it finds by
calling ``sklearn.utils.all_estimators()`` when ``skops.io`` is first imported. That call
imports every scikit-learn module (and through them pytest and dask's array module): over
a second of a scoring process's cold start, spent widening a list this module means to be
the whole of what is trusted. So ``skops.io`` is imported here with that scan answering
nothing, and skops's default estimator list is emptied even when something else imported
skops first: ``TRUSTED_TYPES`` (plus skops's few internal loss and binning types) is then
exactly what loads.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

# Before scikit-learn: at import, skops names every numpy and scipy ufunc it trusts by
# searching sys.modules, in import order, for a module holding each one. With
# scipy.special imported first its ufuncs are found among the first modules, not after
# scikit-learn's hundreds: about 0.08 s of a scoring process's start (skops 0.2).
import scipy.special  # noqa: F401  (imported for its place in sys.modules)
import sklearn.utils

from workbench.core.errors import ModelFileError


def _no_estimators(*_args: object, **_kwargs: object) -> list[tuple[str, type]]:
    return []


def _import_skops_without_the_estimator_scan() -> tuple[ModuleType, type[Exception]]:
    """``skops.io`` and its untrusted-types exception, trusting no estimator by default."""
    scan = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = _no_estimators
    try:
        import skops.io
        from skops.io import _general
        from skops.io.exceptions import UntrustedTypesFoundException
    finally:
        sklearn.utils.all_estimators = scan
    defaults = getattr(_general, "SKLEARN_ESTIMATOR_TYPE_NAMES", None)
    if not isinstance(defaults, list):  # a skops release moved it: refuse to load quietly
        raise ImportError(
            "skops.io._general.SKLEARN_ESTIMATOR_TYPE_NAMES is gone; workbench.modelfile "
            "cannot make the allowlist the whole of what loads with this skops version"
        )
    defaults.clear()  # the same list object skops reads for every object it loads
    return skops.io, UntrustedTypesFoundException


sio, UntrustedTypesFoundException = _import_skops_without_the_estimator_scan()

ALLOWLIST_VERSION = 4
"""Bumped whenever ``TRUSTED_TYPES`` changes, so a review of the list is a visible diff."""

TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "numpy.dtype",
        "numpy.ndarray",
        "builtins.slice",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.compose._column_transformer._RemainderColsList",
        "sklearn.pipeline.Pipeline",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._encoders.OrdinalEncoder",
        # gradient boosting classifiers keep one for their classes; skops's default scan
        # trusted it silently until version 4 stopped the scan
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.linear_model._ridge.Ridge",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._forest.RandomForestRegressor",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.link.Interval",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._tree.Tree",
        "collections.OrderedDict",
        "workbench.training.transformers.CategoryStrings",
        "workbench.training.transformers.DatetimeFeatures",
        "workbench.training.transformers.NativeColumns",
        # histogram gradient boosting with native categoricals keeps a
        # FunctionTransformer(partial(check_array)); partial can only wrap trusted names
        "functools.partial",
        "sklearn.utils.validation.check_array",
    }
)
"""Fully qualified type names a stored model may contain. Anything else is refused."""

_TRUSTED_LIST = sorted(TRUSTED_TYPES)
_LISTED = re.compile(r"'([^']+)'")
"""Type names in skops's "Untrusted types found in the file: ['a', 'b']." message."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``: the identity of an artifact."""
    return hashlib.sha256(data).hexdigest()


def dump_model(model: Any) -> bytes:
    """Serialise an estimator to skops bytes, refusing types outside the allowlist.

    Checking at save time means a model that could never be served is caught while its
    run is still open, not when a person tries to approve it.
    """
    data: bytes = sio.dumps(model)
    untrusted = sorted(set(sio.get_untrusted_types(data=data)) - TRUSTED_TYPES)
    if untrusted:
        raise ModelFileError(
            "model contains types outside the skops allowlist: " + ", ".join(untrusted)
        )
    return data


def load_model(path: Path, expected_sha256: str | None = None) -> Any:
    """Load a skops model file after verifying its hash and its types.

    Args:
        path: The artifact file.
        expected_sha256: The hash recorded when the artifact was stored; a mismatch
            means the file changed on disk and it is not loaded.

    Raises:
        ModelFileError: The file is missing, changed, not a skops file, or holds a
            type outside ``TRUSTED_TYPES``.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc.strerror}") from exc
    if expected_sha256 is not None and sha256_bytes(data) != expected_sha256:
        raise ModelFileError(
            f"model file {path} does not match its recorded sha256 {expected_sha256[:12]}…; "
            "it changed on disk and will not be loaded"
        )
    return loads_model(data, str(path))


def loads_model(data: bytes, source: str = "model bytes") -> Any:
    """Load skops bytes, refusing any type outside ``TRUSTED_TYPES``.

    One pass: skops checks every type against the trusted list while it loads, and
    raises before building anything untrusted (checking first with
    ``get_untrusted_types`` would parse the file twice, doubling a cold start).

    Raises:
        ModelFileError: Not a skops file, or a type outside the allowlist (named).
    """
    try:
        return sio.loads(data, trusted=_TRUSTED_LIST)
    except UntrustedTypesFoundException as exc:
        refused = _LISTED.findall(str(exc).split("\n", 1)[0])
        raise ModelFileError(f"{source} holds untrusted types: {', '.join(refused)}") from exc
    except Exception as exc:  # skops raises zipfile/JSON/attribute errors on a bad file
        raise ModelFileError(f"{source} is not a skops model file: {exc}") from exc
