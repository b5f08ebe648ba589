"""Hyperparameter search: the trials a candidate runs, from ``[train.search.NAME]``.

Each trial becomes its own task (so trials run in parallel on the executor and each has
its params and metrics), and the evaluate task keeps the best trial per candidate.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from workbench.core.errors import ConfigError

STRATEGIES = ("grid", "random")


def trials_for(name: str, spec: dict[str, Any] | None, seed: int) -> list[dict[str, Any]]:
    """Parameter sets to try for candidate ``name`` ([{}] when there is no search).

    Raises:
        ConfigError: The search table is malformed; the message names the key.
    """
    if not spec:
        return [{}]
    where = f"workbench.toml: [train.search.{name}]"
    unknown = set(spec) - {"strategy", "budget", "params"}
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    strategy = spec.get("strategy", "grid")
    if strategy not in STRATEGIES:
        raise ConfigError(f"{where} strategy must be grid or random, got {strategy!r}")
    params = spec.get("params")
    if not isinstance(params, dict) or not params:
        raise ConfigError(f"{where} params must be a table of lists, e.g. {{max_depth = [5, 10]}}")
    for key, values in params.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where} params.{key} must be a non-empty list of values")
    keys = sorted(params)
    grid = [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(params[k] for k in keys))
    ]
    if strategy == "grid":
        return grid
    budget = spec.get("budget", 10)
    if not isinstance(budget, int) or budget < 1:
        raise ConfigError(f"{where} budget must be a positive integer, got {budget!r}")
    return random.Random(seed).sample(grid, min(budget, len(grid)))
