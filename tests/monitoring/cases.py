"""Random inputs for property tests: hypothesis when it is installed, else seeded numpy.

A property test takes ``rng: numpy.random.Generator`` and draws its inputs from it, so the
same body runs under hypothesis (which picks and shrinks the seed) or, without it, over a
fixed list of seeds: deterministic, and still many cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

FALLBACK_SEEDS = 40
"""Seeds tried per property when hypothesis is not installed."""

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    given = None


def random_cases(count: int = FALLBACK_SEEDS) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a test taking ``rng`` to run it on ``count`` random generators."""
    if given is not None:
        seeds = st.integers(min_value=0, max_value=2**32 - 1).map(np.random.default_rng)
        return lambda test: settings(max_examples=count, deadline=None)(given(rng=seeds)(test))
    generators = [np.random.default_rng(seed) for seed in range(count)]
    return pytest.mark.parametrize("rng", generators, ids=[f"seed{s}" for s in range(count)])
