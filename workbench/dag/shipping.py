"""Ship a pipeline's own code to Dask workers with each task, not by copying files.

Workers import ``workbench`` and the libraries installed beside it, but not the user's
pipeline module: it lives in the workspace, which the workers never see. cloudpickle
pickles a function by reference (module name + qualified name) when its module is
importable here, and the worker then fails to import it. For those modules we ask
cloudpickle to pickle by value instead (``register_pickle_by_value``): the functions
and classes of the module travel inside each task, so a worker runs a pipeline it has
never seen, and an edited pipeline reaches the workers at its next run without a
restart. Modules imported from a file without a ``sys.modules`` entry (how the engine
loads ``pipeline.py``) are already pickled by value.

Installed code (``workbench`` itself, site-packages, the standard library) stays by
reference: the workers have it, and shipping scikit-learn with every task would be
slow and wrong. That is also why workers must run the same workbench version
(:mod:`workbench.dag.workers` checks it when the executor connects).
"""

from __future__ import annotations

import sys
import sysconfig
import threading
from pathlib import Path
from typing import Any

_INSTALLED_DIRS = tuple(
    str(Path(p).resolve())
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (p := sysconfig.get_paths().get(key))
)
_shipped: set[str] = set()
_checked: dict[str, bool] = {}  # module name -> installed (paths do not move while running)
_lock = threading.Lock()


def _installed(module: Any) -> bool:
    """True for modules the workers can import themselves."""
    name = getattr(module, "__name__", "")
    top = name.partition(".")[0]
    if top in ("workbench", "builtins") or top in sys.stdlib_module_names:
        return True
    file = getattr(module, "__file__", None)
    if file is None:
        return True  # a namespace or built-in module: nothing to ship
    resolved = str(Path(file).resolve())
    return resolved.startswith(_INSTALLED_DIRS) or "site-packages" in Path(resolved).parts


def ship_by_value(fn: Any) -> str | None:
    """Make cloudpickle send ``fn``'s module by value when workers cannot import it.

    Returns:
        The module's name when it is (now) shipped by value, else None.
    """
    import cloudpickle

    name: str | None = getattr(getattr(fn, "__wrapped__", fn), "__module__", None)
    if not name or name == "__main__":
        return None  # __main__ is always pickled by value
    module = sys.modules.get(name)
    if module is None:
        return None  # not importable here: cloudpickle already ships it by value
    installed = _checked.get(name)
    if installed is None:
        installed = _checked[name] = _installed(module)
    if installed:
        return None
    with _lock:
        if name not in _shipped:
            cloudpickle.register_pickle_by_value(module)
            _shipped.add(name)
    return name
