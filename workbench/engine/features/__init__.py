"""The feature store inside the engine: materialise on arrival, join for training, publish.

Each accepted dataset updates every view of ``features.py`` (only the entities and the
time range the file touches); an edit to the file re-materialises the views whose code
hash changed and queues a run; a run of the default pipeline joins ``[features] views``
to its rows point-in-time; and after each materialisation the latest row per entity of
the served model's views is published to the scoring server as a content-addressed
snapshot. No scheduler: the loop's own arrivals drive it.
"""

from workbench.engine.features.stage import FeatureStage

__all__ = ["FeatureStage"]
