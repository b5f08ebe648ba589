"""Jupyter panels over the api, and api results as DataFrames and HTML views.

Works in JupyterLab 4, Notebook 7 and VS Code (ipywidgets 8)::

    from workbench.api import connect
    from workbench.notebook import panel, runs_frame

    wb = connect("my-project")
    panel(wb)              # Runs, Models, Data, Drift, Lineage; live
    runs_frame(wb)         # a polars DataFrame

Panels only call :class:`workbench.api.WorkbenchApi`, so they work the same on an
in-process engine and on one attached remotely. ``panels/`` holds the widgets (the only
place ipywidgets is used); ``views/`` the HTML views, charts, DataFrames and formatting
they and notebook cells show (plain values, usable without a widget front end).
"""

from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.panels.data import DataPanel
from workbench.notebook.panels.drift import DriftPanel
from workbench.notebook.panels.features import FeaturesPanel
from workbench.notebook.panels.lineage import LineagePanel
from workbench.notebook.panels.live import LiveFeed
from workbench.notebook.panels.models import ModelsPanel
from workbench.notebook.panels.runs import RunsPanel
from workbench.notebook.panels.tabbed import (
    WorkbenchPanel,
    data_panel,
    drift_panel,
    features_panel,
    lineage_panel,
    models_panel,
    panel,
    runs_panel,
)
from workbench.notebook.views.drift_report import DriftView, drift_view
from workbench.notebook.views.frames import (
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
from workbench.notebook.views.results import (
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
from workbench.notebook.views.run_details import (
    InputReport,
    MetricHistoryView,
    TaskLogView,
    input_reports,
    metric_history_view,
    task_log_view,
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
