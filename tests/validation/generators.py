"""Random test inputs: drawn by hypothesis when it is installed, else by seeded ``random``.

Property tests take an ``rng: random.Random`` and build their inputs from it, so the same
test body runs under hypothesis (which then shrinks failures through the random choices)
or, without hypothesis, over a fixed set of seeds (deterministic, and still many cases).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

FALLBACK_CASES = 60
"""Seeds tried per property when hypothesis is not installed."""

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    given = None


def random_cases(count: int = FALLBACK_CASES) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a test taking ``rng`` to run on many random inputs."""
    if given is not None:
        return lambda test: settings(
            max_examples=count,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )(given(rng=st.randoms(use_true_random=False))(test))
    seeds = [random.Random(seed) for seed in range(count)]
    return pytest.mark.parametrize("rng", seeds, ids=[f"seed{seed}" for seed in range(count)])


TRICKY_TEXT = 'aé"\\\n\t\r\x00\x7f\u2028 #=[]{},.🙂'
"""Characters that need escaping in TOML or mean something in it."""


def random_text(rng: random.Random, min_size: int = 0, max_size: int = 12) -> str:
    """A string mixing plain letters with characters that are awkward to serialise."""
    alphabet = "abcxyz_" + TRICKY_TEXT
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(min_size, max_size)))
