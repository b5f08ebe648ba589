"""What a scoring process imports before it knows its model, and one cost it skips.

Importing scikit-learn, skops, polars and the app is most of a scoring process's start
(and so of ``workbench serve``'s cold start). About a sixth of it is SciPy decorating its
functions' docstrings as its modules load: ``xp_capabilities`` and ``axis_nan_policy``
parse each docstring with SciPy's numpydoc parser (``_docscrape.FunctionDoc``) to append
a table or a parameter, about 0.3 s for the ``scipy.stats`` that scikit-learn imports.
A scoring process never shows a docstring, so here the parser is replaced, before SciPy
binds it, by one that hands each docstring back unchanged. Only scoring processes do
this; an engine, a notebook or a test process keeps SciPy's rendered docstrings. If a
SciPy release moves the parser, nothing is replaced and start-up is only slower.
"""

from __future__ import annotations

import importlib
from typing import Any

_PARSER_MODULE = "scipy._lib._docscrape"


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
    bind the parser by name as they load.
    """
    try:
        parser = importlib.import_module(_PARSER_MODULE)
    except ImportError:
        return False
    if not isinstance(getattr(parser, "FunctionDoc", None), type):
        return False
    setattr(parser, "FunctionDoc", _UnrenderedDoc)  # noqa: B010  (a module chosen at run time)
    return True


def import_scoring() -> None:
    """Import scikit-learn, skops, polars and the app: most of a scoring process's start."""
    skip_docstring_rendering()
    import workbench.modelfile
    import workbench.serving.app
    import workbench.serving.server  # noqa: F401
