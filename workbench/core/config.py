"""workbench.toml as typed settings.

Each section is a frozen dataclass; each field carries its default and a ``doc`` saying
what the user sees when they change it. The same docs are written as comments into the
workbench.toml that ``workbench init`` creates, so the file documents itself and the
code holds the one source of truth.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from workbench.core.errors import ConfigError

CONFIG_FILE = "workbench.toml"


def _doc(default: Any, doc: str) -> Any:
    """A dataclass field with a default and the sentence written above it in the file."""
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


TaskChoice = Literal["auto", "binary", "multiclass", "regression"]
"""``[target] task``: what the models predict (``auto`` reads it from the target column)."""
WatchMode = Literal["events", "poll"]
"""``[watch] mode``: OS file events, or polling (network folders)."""
Selection = Literal["holdout", "cv"]
"""``[train] selection``: how a candidate is chosen, on a validation split or on folds."""
SplitRule = Literal["auto", "random", "time", "newest_file"]
"""``[train] split``: which rows are the test rows."""
PromotionPolicy = Literal["manual", "auto", "auto-with-veto"]
"""``[promotion] policy``: who moves the production alias."""
RetrainRule = Literal["always", "on_drift"]
"""``[monitor] retrain``: what starts a retrain."""


@dataclass(frozen=True)
class TargetConfig:
    """What to predict."""

    column: str = _doc("target", "The column to predict. Every data file must have it.")
    task: TaskChoice = _doc(
        "auto",
        "auto | binary | multiclass | regression. 'auto' detects it from the target column.",
    )


@dataclass(frozen=True)
class WatchConfig:
    """The watched folder."""

    path: str = _doc("incoming", "Folder (inside the workspace) where data files are dropped.")
    recursive: bool = _doc(False, "Also watch sub-folders of the watched folder.")
    mode: WatchMode = _doc(
        "events", "events (OS notifications) | poll (for network filesystems without events)."
    )
    quiet_period_ms: int = _doc(
        300, "A file is read only after its size and mtime stayed unchanged this long."
    )
    batch_window_ms: int = _doc(
        1000, "Files arriving within this window are trained on together in one run."
    )
    move_after_ingest: bool = _doc(
        True, "Move ingested files to processed/ (or quarantine/). false leaves them in place."
    )
    max_file_mb: float = _doc(
        1024.0,
        "Larger files are quarantined unread. Training holds the window's rows in memory: "
        "1 GiB of CSV is about what a laptop with 8-16 GB trains on.",
    )
    max_expanded_mb: float = _doc(
        1024.0,
        "A compressed file expanding past this is quarantined (decompression bombs). "
        "Default 1 x max_file_mb: no file, compressed or not, feeds the parser more than a "
        "plain file may be, which a laptop survives.",
    )
    max_line_kb: float = _doc(1024.0, "A file with a longer single line is quarantined.")
    memory_mb: float = _doc(
        0.0,
        "Memory (MiB) reading a data file may hold (ingest, validation, profile); past it "
        "polars spills to disk, so a file larger than memory is still read, more slowly. "
        "0 = automatic: a quarter of the process's memory limit when a container (a "
        "cgroup) sets one below the RAM, else polars' defaults (sized to the RAM).",
    )
    max_columns: int = _doc(
        2000,
        "A file with more columns is quarantined, checked from its header before any "
        "data is read (validation and profiling cost grows with columns).",
    )
    on_open: bool = _doc(
        True,
        "A front end that opens the workspace (the TUI, a notebook that owns it) watches "
        "incoming/ and serves production at once; false waits for w (TUI) or wb.watch().",
    )


@dataclass(frozen=True)
class TrainConfig:
    """Candidate training."""

    candidates: list[str] = _doc(
        ["logistic_regression", "random_forest", "hist_gradient_boosting"],
        "Candidate estimators trained in parallel (regression maps logistic_regression to ridge).",
    )
    test_size: float = _doc(
        0.2, "Share of rows set aside as the test set, scored once by the chosen model."
    )
    seed: int = _doc(0, "Random seed for the split and the estimators: same data, same model.")
    window: str = _doc(
        "all",
        "Training data: all | last:N (newest N datasets) | days:N (datasets of the last N days).",
    )
    max_workers: int = _doc(2, "Tasks run at once on the threaded executor.")
    executor: str = _doc(
        "threads",
        "threads | dask:local | dask://host:port (needs the 'dask' extra).",
    )
    search: dict[str, Any] = _doc(
        {},
        "Hyperparameter search per candidate, e.g. [train.search.random_forest] with "
        "strategy = 'grid' | 'random', budget = N (random) and params = {max_depth = [5, 10]}.",
    )
    cache_max_mb: float = _doc(
        1024.0,
        "Disk the task cache may use; past it the least recently used results are deleted. "
        "0 turns the cache off.",
    )
    selection: Selection = _doc(
        "holdout",
        "How the best candidate and trial are chosen, never on the test rows: holdout "
        "(a validation share of the training rows) | cv (K-fold on the training rows).",
    )
    validation_size: float = _doc(
        0.2, "With selection = holdout: share of the training rows used to choose the model."
    )
    cv_folds: int = _doc(5, "With selection = cv: number of folds (stratified for classification).")
    group_column: str = _doc(
        "", "With selection = cv: rows sharing this column's value stay in one fold (empty: none)."
    )
    split: SplitRule = _doc(
        "auto",
        "Which rows are the test set: auto (time when the data has exactly one datetime "
        "column, else random) | random | time (the newest rows by time_column) | "
        "newest_file (the newest dataset of the window).",
    )
    time_column: str = _doc(
        "", "Column that orders rows in time for split = time (empty: the one datetime column)."
    )
    params: dict[str, Any] = _doc(
        {},
        "Fixed parameters per candidate, e.g. [train.params.random_forest] with "
        "class_weight = 'balanced'; a search's trial values take precedence.",
    )
    max_rows: int = _doc(
        0,
        "Rows a run trains on at most; a larger window is sampled (the newest rows when the "
        "data has one date/datetime column, else stratified by the target) and the run says "
        "so. 0 = sized to memory: a tenth of RAM at 80 bytes per cell, at least 10,000 rows.",
    )


@dataclass(frozen=True)
class PipelineConfig:
    """Which pipeline a run executes."""

    path: str = _doc(
        "",
        "A Python file in the workspace defining `pipeline` (a workbench.dag.Pipeline) or "
        "`build(settings)`; empty = the built-in tabular pipeline.",
    )
    on_code_change: bool = _doc(
        True, "Start a run (trigger 'code') when that file is saved with new content."
    )


@dataclass(frozen=True)
class FeaturesConfig:
    """The feature store: features as code, joined point-in-time."""

    path: str = _doc(
        "",
        "A Python file in the workspace declaring entities and feature views "
        "(@feature_view); each accepted file updates every view. Empty = no feature store.",
    )
    views: list[str] = _doc(
        [],
        "Views the default pipeline joins to the label rows, point-in-time; the scoring "
        "server then joins them to requests by entity key.",
    )
    timestamp: str = _doc(
        "timestamp",
        "Column of the label rows (and requests) features are joined as of; a request "
        "without it is joined as of now.",
    )
    inclusive: bool = _doc(
        False,
        "Also join a feature row stamped exactly at a row's time (default: strictly before: "
        "a labelled row's own event is not history yet when a request for it is served).",
    )
    on_code_change: bool = _doc(
        True,
        "When that file is saved with new content: re-materialise the views whose code "
        "changed and start a run (trigger 'code').",
    )


@dataclass(frozen=True)
class GateConfig:
    """The quality gate a candidate must pass before it may be approved."""

    metric: str = _doc(
        "auto",
        "Metric the gate reads; auto = roc_auc (binary; average_precision when the minority "
        "class is under 20% of rows), f1_macro (multiclass), rmse (regression).",
    )
    threshold: float = _doc(
        0.0,
        "An absolute floor on top of the baseline test: the candidate must also reach this "
        "value (at least for max-metrics, at most for min-metrics); 0 = no floor.",
    )
    baseline: bool = _doc(
        True,
        "Register only a candidate that beats the trivial baseline (class prior or mean) on "
        "the test rows with its 95% bootstrap interval above zero.",
    )
    threshold_rule: str = _doc(
        "f1",
        "Binary models: how the decision threshold is chosen on validation predictions: "
        "f1 | precision_at:P | recall_at:R | fixed:T (served with the model).",
    )


@dataclass(frozen=True)
class PromotionConfig:
    """Who moves the production alias."""

    policy: PromotionPolicy = _doc(
        "manual",
        "manual (a person approves) | auto (approve when the gate passes and the 95% interval "
        "of the improvement over production is above margin) | auto-with-veto (auto, after "
        "veto_minutes unless someone rejects).",
    )
    margin: float = _doc(
        0.0,
        "With auto policies: the lower end of the 95% interval of the improvement over "
        "production, on the same test rows, must exceed this.",
    )
    bootstrap: int = _doc(
        1000, "Paired bootstrap resamples behind every interval (gate and promotion)."
    )
    veto_minutes: float = _doc(
        60.0, "With auto-with-veto: how long a person has to reject before approval."
    )


@dataclass(frozen=True)
class MonitorConfig:
    """Drift, decay and the retrain loop."""

    retrain: RetrainRule = _doc(
        "always",
        "always (every accepted batch of files trains) | on_drift (only drift, decay or the "
        "schedule start a retrain, within the guardrails below).",
    )
    drift_share: float = _doc(
        0.5, "Dataset drift when at least this share of feature columns drift."
    )
    psi_drift: bool = _doc(True, "A 'major' PSI (>= 0.25) also marks a column drifted.")
    retrain_on: list[str] = _doc(
        ["dataset_drift", "prediction_drift", "performance"],
        "Signals that queue a retrain: dataset_drift, prediction_drift, performance.",
    )
    performance_threshold: float = _doc(
        0.0,
        "Production decays when the gate metric on newly labelled data is worse than this "
        "(below it for max-metrics, above it for min-metrics); 0 disables.",
    )
    prediction_window: int = _doc(500, "Logged predictions per window compared with the reference.")
    schedule_hours: float = _doc(0.0, "Retrain every N hours regardless (0: no schedule).")
    cooldown_minutes: float = _doc(
        60.0, "At least this long between two drift- or decay-triggered retrains."
    )
    max_retrains_per_day: int = _doc(6, "Cap on drift/decay/schedule retrains in 24 hours.")
    breaker_after: int = _doc(
        3,
        "Stop auto-promotion after this many candidates in a row were worse than production "
        "(a person approves from then on).",
    )


@dataclass(frozen=True)
class AlertsConfig:
    """Where alerts go besides the UIs and the event log."""

    command: str = _doc(
        "", "Shell command run per alert with the event as JSON on stdin (empty: none)."
    )
    webhook: str = _doc("", "URL that receives each alert as a JSON POST (empty: none).")
    levels: list[str] = _doc(["warning", "error"], "Event levels sent to the sinks.")
    retries: int = _doc(3, "Attempts per sink before the alert is recorded as undelivered.")


@dataclass(frozen=True)
class ServeConfig:
    """The scoring server."""

    host: str = _doc("127.0.0.1", "Address to bind. Anything but loopback needs --allow-remote.")
    port: int = _doc(8000, "Port of the scoring server.")
    strict: bool = _doc(False, "Refuse requests with columns the model does not know.")
    max_body_mb: float = _doc(10.0, "Largest request body accepted, in MiB (413 beyond).")
    workers: int = _doc(
        0,
        "Scoring processes behind the one port, each holding the model; 0 means one per "
        "CPU core, 1 scores in the server process itself (least memory).",
    )


@dataclass(frozen=True)
class WorkbenchConfig:
    """All of workbench.toml."""

    target: TargetConfig = field(default_factory=TargetConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)
    gate: GateConfig = field(default_factory=GateConfig)
    promotion: PromotionConfig = field(default_factory=PromotionConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)


def _fields(cls: type) -> list[tuple[dataclasses.Field[Any], Any]]:
    """Each field of a settings dataclass with its resolved type."""
    hints = get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls)]


def _section_types() -> dict[str, type]:
    return {f.name: kind for f, kind in _fields(WorkbenchConfig)}


def _coerce(section: str, key: str, value: Any, expected: Any, source: str) -> Any:
    where = f"{source}: [{section}] {key}"
    choices = get_args(expected) if get_origin(expected) is Literal else ()
    if choices:
        if value not in choices:
            shown = ", ".join(choices)
            raise ConfigError(f"{where} must be one of {shown}, got {value!r}")
        return value
    origin = getattr(expected, "__origin__", expected)
    if origin is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, got {value!r}")
    elif origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {value!r}")
    elif origin is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    elif not isinstance(value, origin) or (origin is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be a {origin.__name__}, got {value!r}")
    return value


def config_from_dict(data: dict[str, Any], source: str = CONFIG_FILE) -> WorkbenchConfig:
    """Build typed settings from parsed TOML, naming the file, section and key on error."""
    sections: dict[str, Any] = {}
    known = _section_types()
    for name, body in data.items():
        if name not in known:
            raise ConfigError(f"{source}: unknown section [{name}] (known: {', '.join(known)})")
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        cls = known[name]
        fields = {f.name: kind for f, kind in _fields(cls)}
        values = {}
        for key, value in body.items():
            if key not in fields:
                raise ConfigError(
                    f"{source}: unknown key '{key}' in [{name}] (known: {', '.join(fields)})"
                )
            values[key] = _coerce(name, key, value, fields[key], source)
        sections[name] = cls(**values)
    return WorkbenchConfig(**sections)


def load_config(path: Path) -> WorkbenchConfig:
    """Read and check workbench.toml.

    Raises:
        ConfigError: The file is missing, is not TOML, or holds an unknown or mistyped key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return config_from_dict(data, str(path))


def render_config(config: WorkbenchConfig) -> str:
    """workbench.toml text for ``config``, every key preceded by its documentation."""
    import tomlkit  # only ``init`` writes the file; every process that opens one reads it

    doc = tomlkit.document()
    doc.add(tomlkit.comment("Workbench settings. Every key has a default that works."))
    doc.add(tomlkit.comment("Delete a key to get its default back."))
    for section, section_cls in _fields(WorkbenchConfig):
        table = tomlkit.table()
        table.comment((section_cls.__doc__ or "").strip().rstrip("."))
        values = getattr(config, section.name)
        for f, _kind in _fields(section_cls):
            table.add(tomlkit.comment(f.metadata["doc"]))
            value = getattr(values, f.name)
            if isinstance(value, dict) and not value:
                table.add(tomlkit.comment(f"{f.name}: no entries"))
                continue
            table.add(f.name, value)
        doc.add(tomlkit.nl())
        doc.add(section.name, table)
    return tomlkit.dumps(doc)


def with_overrides(config: WorkbenchConfig, section: str, **values: Any) -> WorkbenchConfig:
    """A copy of ``config`` with some keys of one section replaced (used by init and demo)."""
    return dataclasses.replace(
        config, **{section: dataclasses.replace(getattr(config, section), **values)}
    )
