"""Decision thresholds chosen on validation predictions, by the rule the user names."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from workbench.core.errors import ConfigError
from workbench.training.threshold import choose_threshold, parse_rule

RNG = np.random.default_rng(1)
TRUTH = RNG.random(2000) < 0.05
SCORES = np.clip(TRUTH * 0.35 + RNG.random(2000) * 0.6, 0, 1)


def _at(threshold: float) -> tuple[float, float, float]:
    predicted = threshold <= SCORES
    return (
        metrics.precision_score(TRUTH, predicted, zero_division=0),
        metrics.recall_score(TRUTH, predicted),
        metrics.f1_score(TRUTH, predicted),
    )


def test_f1_picks_the_threshold_with_the_best_f1_on_rare_positives() -> None:
    chosen = choose_threshold(parse_rule("f1"), TRUTH, SCORES)
    cuts = np.unique(SCORES)  # every distinct threshold at once, counted by numpy
    predicted = cuts[:, None] <= SCORES
    f1 = 2 * (predicted & TRUTH).sum(axis=1) / (predicted.sum(axis=1) + TRUTH.sum())
    for i in range(0, len(cuts), 199):  # the count agrees with scikit-learn's f1
        assert f1[i] == pytest.approx(_at(cuts[i])[2])
    best = float(f1.max())
    assert _at(chosen)[2] == pytest.approx(best)
    assert _at(chosen)[2] > _at(0.5)[2], "the 0.5 default is worse on 5% positives"


def test_precision_and_recall_targets_are_met() -> None:
    high_precision = choose_threshold(parse_rule("precision_at:0.9"), TRUTH, SCORES)
    assert _at(high_precision)[0] >= 0.9
    high_recall = choose_threshold(parse_rule("recall_at:0.8"), TRUTH, SCORES)
    assert _at(high_recall)[1] >= 0.8
    assert _at(np.nextafter(high_recall, 1))[1] < 0.8, "the highest threshold reaching it"
    assert choose_threshold(parse_rule("fixed:0.3"), TRUTH, SCORES) == 0.3


@pytest.mark.parametrize("text", ["f2", "precision_at", "recall_at:1.5", "fixed:x", "f1:0.2"])
def test_a_bad_rule_names_the_key(text: str) -> None:
    with pytest.raises(ConfigError, match=r"\[gate\] threshold_rule"):
        parse_rule(text)


def test_a_bad_rule_or_params_table_in_workbench_toml_fails_before_any_task() -> None:
    from workbench.core.config import WorkbenchConfig, with_overrides
    from workbench.tabular.settings import TabularSettings

    with pytest.raises(ConfigError, match="threshold_rule"):
        TabularSettings.from_config(with_overrides(WorkbenchConfig(), "gate", threshold_rule="f2"))
    bad = with_overrides(WorkbenchConfig(), "train", params={"random_forest": "balanced"})
    with pytest.raises(ConfigError, match=r"\[train.params.random_forest\] must be a table"):
        TabularSettings.from_config(bad)
