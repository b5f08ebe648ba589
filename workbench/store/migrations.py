"""The versioned schema of the DuckDB store, applied in order on open.

A migration is never edited once released: a schema change is a new entry at the end.
A database whose version is newer than the last entry was written by a newer Workbench
and is refused, never migrated down.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the walking skeleton's tables.
    """
    CREATE SEQUENCE dataset_ids START 1;
    CREATE TABLE datasets (
        id INTEGER PRIMARY KEY DEFAULT nextval('dataset_ids'),
        sha256 VARCHAR NOT NULL UNIQUE,
        name VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        status VARCHAR NOT NULL,
        columns JSON NOT NULL,
        profile JSON,
        ingested_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE report_ids START 1;
    CREATE TABLE validation_reports (
        id INTEGER PRIMARY KEY DEFAULT nextval('report_ids'),
        dataset_sha256 VARCHAR NOT NULL,
        run_id INTEGER,
        passed BOOLEAN NOT NULL,
        summary VARCHAR NOT NULL,
        report JSON NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE run_ids START 1;
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
        pipeline VARCHAR NOT NULL,
        trigger VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        heartbeat_at TIMESTAMP,
        error VARCHAR,
        config_hash VARCHAR,
        code_hash VARCHAR
    );
    CREATE INDEX runs_status ON runs(status);
    CREATE TABLE run_datasets (
        run_id INTEGER NOT NULL,
        dataset_id INTEGER NOT NULL,
        PRIMARY KEY (run_id, dataset_id)
    );
    CREATE TABLE task_runs (
        run_id INTEGER NOT NULL,
        task VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        duration_s DOUBLE,
        error VARCHAR,
        PRIMARY KEY (run_id, task)
    );
    CREATE TABLE params (
        run_id INTEGER NOT NULL,
        task VARCHAR,
        key VARCHAR NOT NULL,
        value VARCHAR NOT NULL
    );
    CREATE INDEX params_run ON params(run_id);
    CREATE TABLE metrics (
        run_id INTEGER NOT NULL,
        task VARCHAR,
        key VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        step BIGINT NOT NULL,
        ts TIMESTAMP NOT NULL
    );
    CREATE INDEX metrics_run ON metrics(run_id);
    CREATE TABLE artifacts (
        sha256 VARCHAR PRIMARY KEY,
        size BIGINT NOT NULL,
        kind VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE run_artifacts (
        run_id INTEGER NOT NULL,
        task VARCHAR,
        name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL
    );
    CREATE TABLE model_versions (
        version INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        candidate VARCHAR NOT NULL,
        artifact_sha256 VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        metrics JSON NOT NULL,
        signature JSON NOT NULL,
        gate_passed BOOLEAN NOT NULL,
        sklearn_version VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE approvals (
        version INTEGER NOT NULL,
        decision VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        comment VARCHAR NOT NULL,
        metrics JSON NOT NULL,
        decided_at TIMESTAMP NOT NULL
    );
    CREATE TABLE aliases (
        alias VARCHAR PRIMARY KEY,
        version INTEGER NOT NULL,
        set_at TIMESTAMP NOT NULL,
        set_by VARCHAR NOT NULL
    );
    CREATE TABLE deployments (
        alias VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        actor VARCHAR NOT NULL,
        reason VARCHAR NOT NULL
    );
    CREATE TABLE lineage_edges (
        src_kind VARCHAR NOT NULL,
        src_id VARCHAR NOT NULL,
        dst_kind VARCHAR NOT NULL,
        dst_id VARCHAR NOT NULL,
        relation VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    CREATE INDEX lineage_dst ON lineage_edges(dst_kind, dst_id);
    CREATE INDEX lineage_src ON lineage_edges(src_kind, src_id);
    CREATE SEQUENCE event_ids START 1;
    CREATE TABLE events (
        id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
        ts TIMESTAMP NOT NULL,
        kind VARCHAR NOT NULL,
        level VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        payload JSON NOT NULL
    );
    """,
    # 2: reproducibility records and the indexes the UIs' queries need at 100,000 runs.
    """
    ALTER TABLE runs ADD COLUMN repro JSON;
    CREATE INDEX runs_trigger ON runs(trigger);
    CREATE INDEX runs_created ON runs(created_at);
    CREATE INDEX metrics_key ON metrics(key);
    CREATE INDEX model_versions_run ON model_versions(run_id);
    CREATE INDEX run_datasets_dataset ON run_datasets(dataset_id);
    """,
    # 3: champion/challenger (production scored on the candidate's held-out rows).
    """
    ALTER TABLE model_versions ADD COLUMN champion JSON;
    """,
    # 4: monitoring: drift reports, production performance on labelled data, predictions.
    """
    CREATE SEQUENCE drift_ids START 1;
    CREATE TABLE drift_reports (
        id INTEGER PRIMARY KEY DEFAULT nextval('drift_ids'),
        created_at TIMESTAMP NOT NULL,
        source VARCHAR NOT NULL,
        dataset_id INTEGER,
        reference_version INTEGER,
        dataset_drift BOOLEAN NOT NULL,
        share_drifted DOUBLE NOT NULL,
        drifted_columns JSON NOT NULL,
        report JSON NOT NULL
    );
    CREATE TABLE performance (
        ts TIMESTAMP NOT NULL,
        version INTEGER NOT NULL,
        dataset_id INTEGER,
        metrics JSON NOT NULL
    );
    """,
    # 5: the prediction log the scoring server hands back in batches.
    """
    CREATE TABLE predictions (
        ts TIMESTAMP NOT NULL,
        model_version INTEGER NOT NULL,
        latency_ms DOUBLE,
        request_id VARCHAR,
        prediction VARCHAR,
        probability DOUBLE,
        inputs JSON NOT NULL
    );
    CREATE INDEX predictions_ts ON predictions(ts);
    """,
    # 6: the persistent task cache (a task's result, stored as an artifact, by cache key)
    # and tags on runs and task runs (task '' for the run itself).
    """
    CREATE TABLE task_cache (
        key VARCHAR PRIMARY KEY,
        task VARCHAR NOT NULL,
        run_id INTEGER,
        sha256 VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        created_at TIMESTAMP NOT NULL,
        last_hit_at TIMESTAMP,
        hits BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX task_cache_task ON task_cache(task);
    CREATE TABLE tags (
        run_id INTEGER NOT NULL,
        task VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        PRIMARY KEY (run_id, task, key)
    );
    CREATE INDEX tags_key ON tags(key, value);
    ALTER TABLE task_runs ADD COLUMN cached_from INTEGER;
    """,
    # 7: honest model choice: a binary model's decision threshold and how it was chosen
    # and tested (split, selection, baseline, intervals); decisions keep the interval
    # they were made on.
    """
    ALTER TABLE model_versions ADD COLUMN threshold DOUBLE;
    ALTER TABLE model_versions ADD COLUMN evaluation JSON;
    ALTER TABLE approvals ADD COLUMN comparison JSON;
    """,
    # 8: the quality report of each model version (confusion matrix, curves, calibration,
    # residuals, permutation importance on its test rows), written once when registered.
    """
    CREATE TABLE quality_reports (
        version INTEGER PRIMARY KEY,
        report JSON NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    """,
    # 9 (assigned; the lead renumbers on merge): secondary indexes only where the tracking
    # benchmark at 100,000 runs shows them paying off (benchmarks/tracking.py --indexes):
    # none did. Lists by status, trigger, time and tag and lineage both ways were as fast
    # without (DuckDB's min-max zonemaps prune tables filled in id order); a run's detail
    # was 0.5 ms faster (4.4 vs 3.9 ms) with params_run and metrics_run, which cost 16-20%
    # of run creation and batched metric throughput. Every index also blocks ALTER TABLE
    # ... DROP/RENAME COLUMN in later migrations. Primary keys and UNIQUE stay.
    """
    DROP INDEX IF EXISTS runs_status;
    DROP INDEX IF EXISTS params_run;
    DROP INDEX IF EXISTS metrics_run;
    DROP INDEX IF EXISTS tags_key;
    DROP INDEX IF EXISTS runs_trigger;
    DROP INDEX IF EXISTS runs_created;
    DROP INDEX IF EXISTS metrics_key;
    DROP INDEX IF EXISTS lineage_dst;
    DROP INDEX IF EXISTS lineage_src;
    DROP INDEX IF EXISTS model_versions_run;
    DROP INDEX IF EXISTS run_datasets_dataset;
    DROP INDEX IF EXISTS predictions_ts;
    DROP INDEX IF EXISTS task_cache_task;
    """,
    # 10: where each attempt of a task ran on a Dask executor (worker addresses)
    """
    ALTER TABLE task_runs ADD COLUMN worker VARCHAR;
    """,
    # 11: the feature store's registry: one row per materialised version (code hash) of a
    # feature view; the rows themselves live in one table per version (store/features.py)
    """
    CREATE TABLE feature_views (
        name VARCHAR NOT NULL,
        code_hash VARCHAR NOT NULL,
        entity VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        timestamp VARCHAR NOT NULL,
        ttl_s DOUBLE,
        columns JSON NOT NULL,
        current BOOLEAN NOT NULL,
        rows BIGINT NOT NULL,
        created_at TIMESTAMP NOT NULL,
        materialized_at TIMESTAMP,
        PRIMARY KEY (name, code_hash)
    );
    """,
)
"""Schema steps; ``MIGRATIONS[i]`` takes a database from version i to version i + 1."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The version this Workbench writes."""
