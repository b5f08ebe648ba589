"""Feature store block: features as code, materialised views, point-in-time joins.

``features.py`` in a workspace declares :class:`Entity` and :func:`feature_view`; the
engine materialises each view into the offline store as datasets arrive, the default
pipeline joins them to label rows point-in-time (:func:`join_features`), and the scoring
server joins a request with the online snapshot (:class:`OnlineFeatures`) by the same
function. Usable alone: everything here is polars on frames, no store, no engine.
"""

from workbench.features.compute import ViewOutput, check_view, compute_view
from workbench.features.definitions import DATASETS, Entity, FeatureView, feature_view
from workbench.features.join import join_features, training_defaults
from workbench.features.loading import FeatureSet, load_feature_set
from workbench.features.online import OnlineFeatures, Snapshot
from workbench.features.plan import JoinedView, JoinPlan

__all__ = [
    "DATASETS",
    "Entity",
    "FeatureSet",
    "FeatureView",
    "JoinPlan",
    "JoinedView",
    "OnlineFeatures",
    "Snapshot",
    "ViewOutput",
    "check_view",
    "compute_view",
    "feature_view",
    "join_features",
    "load_feature_set",
    "training_defaults",
]
