"""Benchmark: computing a model version's quality report on the sample data.

The default candidates are fitted once on 80% of the bundled January (25,000 card
transactions, 3.5% fraud) with Workbench's own ``fit_candidate``; each one's report is
then computed on the 5,000 held-out rows ``--repeat`` times, interleaved. Per candidate:

* ``report_s``: median seconds of ``quality_report`` (curves, calibration, confusion
  matrix, permutation importance of every input column on a 1,000-row sample, 3 repeats);
* ``predict_s``: median seconds of one ``predict_proba`` on the held-out rows: the floor
  (the report needs one full scoring plus columns x repeats scorings of the sample);
* ``columns``: input columns shuffled.

Goal (issue 14, item 6): well under a second or two per report, since the pipeline's
register step computes one for every registered version. One JSON object is printed.

    python benchmarks/quality_report.py [--repeat 5] [--rows 25000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from workbench.training import candidate_names, fit_candidate, plan_features, split_frame
from workbench.training.quality import quality_report
from workbench.validation import read_dataset

JANUARY = Path(__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"
TARGET = "is_fraud"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=25_000)
    args = parser.parse_args()
    frame = read_dataset(JANUARY).head(args.rows)
    train, test = split_frame(frame, TARGET, "binary", 0.2, 0)
    plan = plan_features(train, TARGET)
    features = test.select(plan.features)
    models = {
        name: fit_candidate(name, "binary", plan, train, TARGET, {}, 0).estimator
        for name in candidate_names("binary")
    }
    report_s: dict[str, list[float]] = {name: [] for name in models}
    predict_s: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.repeat):
        for name, model in models.items():
            started = time.perf_counter()
            model.predict_proba(features)
            predict_s[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            report = quality_report(model, features, test[TARGET], "binary", 0.5)
            report_s[name].append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "benchmark": "quality_report",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load": os.getloadavg()[0],
                },
                "rows_test": test.height,
                "columns": report.columns,
                "importance_rows": report.importance_rows,
                "repeat": args.repeat,
                "candidates": {
                    name: {
                        "report_s": round(statistics.median(report_s[name]), 4),
                        "predict_s": round(statistics.median(predict_s[name]), 4),
                    }
                    for name in models
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
