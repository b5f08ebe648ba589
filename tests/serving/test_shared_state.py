"""The pool's shared memory: the generation byte and the scoreboard's sums."""

from __future__ import annotations

import os

from workbench.core.signature import DTYPE_NAMES
from workbench.serving.conform import DTYPES
from workbench.serving.shared_state import Scores, SharedState


def test_a_worker_that_exits_keeps_its_totals_but_not_its_levels() -> None:
    state = SharedState.create(workers=2)
    try:
        state.write_scores(1, Scores(in_progress=3, rejected=2, log_written=10, log_queued=4))
        state.write_scores(2, Scores(in_progress=1, rejected=5, log_written=1))
        state.retire(1)
        assert state.read_scores(1) == Scores()
        assert state.total() == Scores(in_progress=1, rejected=7, log_written=11)
    finally:
        state.close()


def test_the_generation_is_seen_through_another_mapping_of_the_same_memory() -> None:
    state = SharedState.create(workers=2)
    other = SharedState(os.dup(state.fd), workers=2)  # what a worker maps
    try:
        assert other.generation == 0
        state.publish_generation(257)
        assert other.generation == 1  # one byte, wrapping
    finally:
        other.close()
        state.close()


def test_the_manifest_vocabulary_is_the_one_conform_casts_to() -> None:
    assert tuple(DTYPES) == DTYPE_NAMES
