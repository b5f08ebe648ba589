"""Settings the engine replaces reach the read side and the feature stage at their next
use: neither keeps a copy of the settings it was built with."""

from __future__ import annotations

from workbench.core.config import with_overrides
from workbench.engine.engine import Engine


def test_reads_and_the_feature_stage_follow_replaced_settings(engine: Engine) -> None:
    before = engine.reads.status().target
    assert engine.features.path is None  # no [features] path yet
    settings = with_overrides(engine.config, "target", column=f"{before}_v2")
    engine.config = with_overrides(settings, "features", path="features.py")
    assert engine.reads.status().target == f"{before}_v2"
    assert engine.features.path == engine.workspace.inside("features.py")
