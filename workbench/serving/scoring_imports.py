"""What a scoring process imports before it knows its model, and three costs it skips.

Importing scikit-learn, skops, polars and the app is most of a scoring process's start
(and so of ``workbench serve``'s cold start).

skops imports ``sklearn.ensemble._hist_gradient_boosting.binning``, if it can, only to
trust ``_BinMapper``, which ``modelfile.TRUSTED_TYPES`` names anyway; that imports all of
``sklearn.ensemble`` (about 0.15 s). Held out while skops loads here, a linear model's
process never imports the ensembles; a forest's imports them when its file loads. Only
here: in an engine, a DAG task on another thread could meet the held-out module.

About a sixth of the rest is SciPy decorating its
functions' docstrings as its modules load: ``xp_capabilities`` and ``axis_nan_policy``
parse each docstring with SciPy's numpydoc parser (``_docscrape.FunctionDoc``) to append
a table or a parameter, about 0.3 s for the ``scipy.stats`` that scikit-learn imports.
A scoring process never shows a docstring, so here the parser is replaced, before SciPy
binds it, by one that hands each docstring back unchanged. Only scoring processes do
this; an engine, a notebook or a test process keeps SciPy's rendered docstrings. If a
SciPy release moves the parser, nothing is replaced and start-up is only slower; one
that asks the parser for more than sections and ``str`` fails the scoring imports,
which every serving test makes (``tests/serving/test_scoring_imports.py`` names it).

And per request: scikit-learn's ``is_pandas_na`` runs ``from pandas import NA`` each time
it is called, fourteen times in one ``predict_proba`` of the engine's pipeline (an
imputer's tags, asked for by every ``check_is_fitted``). Without pandas installed, each
is a failed search of every ``sys.path`` entry. A scoring process asks instead whether
pandas is imported at all (:func:`pandas_na_without_import`): ``pandas.NA`` cannot exist
in a process that has not imported pandas, so the answer is the same, with pandas
installed or not.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_PARSER_MODULE = "scipy._lib._docscrape"
_BOUND_BY = ("scipy.special", "scipy.stats")
"""Modules that bind the parser as they load: once either is imported, it is too late."""
_HELD_OUT = "sklearn.ensemble._hist_gradient_boosting.binning"
_PANDAS_NA_MODULE = "sklearn.utils._missing"


class _UnrenderedDoc:
    """Stands in for ``FunctionDoc``: no section parsed, the docstring kept as it was.

    SciPy's decorators read sections (``doc["Parameters"]``), append to them, and take
    ``str(doc)`` minus its first (signature) line as the new docstring. Every section
    reads as a fresh empty list and ``str`` gives back the original, so each decorated
    function keeps its docstring without the added notes.
    """

    def __init__(self, func: object, *_args: object, **_kwargs: object) -> None:
        self._text = getattr(func, "__doc__", None) or ""

    def __getitem__(self, section: str) -> list[Any]:
        return []

    def __setitem__(self, section: str, value: object) -> None:
        return None

    def __str__(self) -> str:
        return "\n" + self._text


def skip_docstring_rendering() -> bool:
    """Make SciPy leave docstrings unparsed in this process; True if it took effect.

    It must run before ``scipy.special`` or ``scipy.stats`` is imported: their modules
    bind the parser by name as they load (after that it changes nothing: False).
    """
    if any(name in sys.modules for name in _BOUND_BY):
        return False
    try:
        parser = importlib.import_module(_PARSER_MODULE)
    except ImportError:
        return False
    if not isinstance(getattr(parser, "FunctionDoc", None), type):
        return False
    setattr(parser, "FunctionDoc", _UnrenderedDoc)  # noqa: B010  (a module chosen at run time)
    return True


def _is_pandas_na(x: object) -> bool:
    """scikit-learn's ``is_pandas_na`` without importing pandas to answer."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and x is getattr(pandas, "NA", object())


def pandas_na_without_import() -> bool:
    """Put :func:`_is_pandas_na` where scikit-learn's ``is_pandas_na`` is bound; True if
    it was found (modules that import it later bind the replacement)."""
    try:
        missing = importlib.import_module(_PANDAS_NA_MODULE)
    except ImportError:
        return False
    original = getattr(missing, "is_pandas_na", None)
    if original is None or original is _is_pandas_na:
        return original is _is_pandas_na
    for name, module in list(sys.modules.items()):
        if name.startswith("sklearn") and getattr(module, "is_pandas_na", None) is original:
            setattr(module, "is_pandas_na", _is_pandas_na)  # noqa: B010
    return True


@contextmanager
def _held_out(name: str) -> Iterator[None]:
    """``import name`` raises ImportError inside the block (unless already imported)."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # type: ignore[assignment]  # the import system's "no"
    try:
        yield
    finally:
        if sys.modules.get(name, ...) is None:
            del sys.modules[name]


def import_scoring() -> None:
    """Import scikit-learn, skops, polars and the app: most of a scoring process's start."""
    skip_docstring_rendering()
    with _held_out(_HELD_OUT):
        import workbench.modelfile
    import workbench.serving.app
    import workbench.serving.server  # noqa: F401

    pandas_na_without_import()
