"""Jupyter panels over the api, and api results as DataFrames and HTML views.

Works in JupyterLab 4, Notebook 7 and VS Code (ipywidgets 8)::

    from workbench.api import connect
    from workbench.notebook import panel, runs_frame

    wb = connect("my-project")
    panel(wb)              # Runs, Models, Data, Drift, Lineage; live
    runs_frame(wb)         # a polars DataFrame

Panels only call :class:`workbench.api.WorkbenchApi`, so they work the same on an
in-process engine and on one attached remotely. ipywidgets is imported here and nowhere
else in the package.
"""

from workbench.notebook.base import Panel, RecordTable
from workbench.notebook.data import DataPanel
from workbench.notebook.drift import DriftPanel
from workbench.notebook.drift_report import DriftView, drift_view
from workbench.notebook.features import FeaturesPanel
from workbench.notebook.frames import (
    approvals_frame,
    datasets_frame,
    drift_columns_frame,
    drift_frame,
    events_frame,
    metrics_frame,
    models_frame,
    performance_frame,
    runs_frame,
    tasks_frame,
)
from workbench.notebook.lineage import LineagePanel
from workbench.notebook.live import LiveFeed
from workbench.notebook.models import ModelsPanel
from workbench.notebook.panel import (
    WorkbenchPanel,
    data_panel,
    drift_panel,
    features_panel,
    lineage_panel,
    models_panel,
    panel,
    runs_panel,
)
from workbench.notebook.run_views import (
    InputReport,
    MetricHistoryView,
    TaskLogView,
    input_reports,
    metric_history_view,
    task_log_view,
)
from workbench.notebook.runs import RunsPanel
from workbench.notebook.views import (
    CompareView,
    LineageView,
    RunView,
    ServingView,
    ValidationView,
    compare_view,
    lineage_view,
    run_view,
    serving_view,
    validation_view,
)

__all__ = [
    "CompareView",
    "DataPanel",
    "DriftPanel",
    "DriftView",
    "FeaturesPanel",
    "InputReport",
    "LineagePanel",
    "LineageView",
    "LiveFeed",
    "MetricHistoryView",
    "ModelsPanel",
    "Panel",
    "RecordTable",
    "RunView",
    "RunsPanel",
    "ServingView",
    "TaskLogView",
    "ValidationView",
    "WorkbenchPanel",
    "approvals_frame",
    "compare_view",
    "data_panel",
    "datasets_frame",
    "drift_columns_frame",
    "drift_frame",
    "drift_panel",
    "drift_view",
    "events_frame",
    "features_panel",
    "input_reports",
    "lineage_panel",
    "lineage_view",
    "metric_history_view",
    "metrics_frame",
    "models_frame",
    "models_panel",
    "panel",
    "performance_frame",
    "run_view",
    "runs_frame",
    "runs_panel",
    "serving_view",
    "task_log_view",
    "tasks_frame",
    "validation_view",
]
