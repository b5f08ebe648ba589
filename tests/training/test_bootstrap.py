"""The paired bootstrap: its point estimates are scikit-learn's metrics, identical models
differ by exactly zero, a better model's interval clears zero, directions are respected."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from workbench.training.bootstrap import METRICS, Outputs, metric_value, paired_bootstrap

RNG = np.random.default_rng(0)
TRUTH = (RNG.random(400) < 0.2).astype(int)
GOOD = np.clip(TRUTH * 0.5 + RNG.random(400) * 0.6, 0, 1)
NOISE = RNG.random(400)
CLASSES = np.array([0, 1])


def _binary(scores: np.ndarray, threshold: float = 0.5) -> Outputs:
    return Outputs(TRUTH, scores, (scores >= threshold).astype(int), CLASSES)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("roc_auc", lambda o: metrics.roc_auc_score(o.truth, o.scores)),
        ("average_precision", lambda o: metrics.average_precision_score(o.truth, o.scores)),
        ("accuracy", lambda o: metrics.accuracy_score(o.truth, o.predicted)),
        ("f1", lambda o: metrics.f1_score(o.truth, o.predicted)),
        ("precision", lambda o: metrics.precision_score(o.truth, o.predicted)),
        ("recall", lambda o: metrics.recall_score(o.truth, o.predicted)),
        ("log_loss", lambda o: metrics.log_loss(o.truth, o.scores)),
    ],
)
def test_binary_metrics_on_all_rows_match_scikit_learn(name: str, reference) -> None:
    tied = _binary(np.round(GOOD, 1))  # ties, as a tree model's scores have
    assert metric_value(name, tied) == pytest.approx(reference(tied), abs=1e-9)


def test_multiclass_and_regression_metrics_match_scikit_learn() -> None:
    truth = RNG.integers(0, 3, 300)
    proba = RNG.dirichlet([1, 1, 1], 300)
    multi = Outputs(truth, proba, proba.argmax(axis=1), np.array([0, 1, 2]))
    f1_macro = metrics.f1_score(truth, multi.predicted, average="macro")
    assert metric_value("f1_macro", multi) == pytest.approx(f1_macro)
    assert metric_value("log_loss", multi) == pytest.approx(metrics.log_loss(truth, proba))
    ovr = metrics.roc_auc_score(truth, proba, multi_class="ovr")
    assert metric_value("roc_auc_ovr", multi) == pytest.approx(ovr)
    y, guess = RNG.normal(size=200), RNG.normal(size=200)
    values = Outputs(y, guess)
    assert metric_value("rmse", values) == pytest.approx(metrics.root_mean_squared_error(y, guess))
    assert metric_value("mae", values) == pytest.approx(metrics.mean_absolute_error(y, guess))
    assert metric_value("r2", values) == pytest.approx(metrics.r2_score(y, guess))


def test_identical_models_differ_by_zero_and_a_better_one_clears_zero() -> None:
    same = paired_bootstrap("roc_auc", _binary(GOOD), _binary(GOOD), resamples=300)
    assert same.delta == same.low == same.high == 0.0 and not same.clears(0.0)
    better = paired_bootstrap("roc_auc", _binary(GOOD), _binary(NOISE), resamples=300)
    assert better.low > 0.1 and better.clears(0.1) and better.low < better.delta < better.high
    assert better == paired_bootstrap("roc_auc", _binary(GOOD), _binary(NOISE), resamples=300)


def test_improvements_of_lower_is_better_metrics_are_positive() -> None:
    y = RNG.normal(size=300)
    close, far = Outputs(y, y + 0.1 * RNG.normal(size=300)), Outputs(y, np.zeros(300))
    compared = paired_bootstrap("rmse", close, far, resamples=200)
    assert compared.a < compared.b and compared.delta > 0 and compared.low > 0


def test_a_comparison_needs_the_same_rows_and_a_known_metric() -> None:
    from workbench.core.errors import TrainingError

    other = Outputs(TRUTH[::-1], GOOD, (GOOD > 0.5).astype(int), CLASSES)
    with pytest.raises(TrainingError, match="same rows"):
        paired_bootstrap("roc_auc", _binary(GOOD), other)
    with pytest.raises(TrainingError, match="no bootstrap for metric 'brier'"):
        paired_bootstrap("brier", _binary(GOOD), _binary(GOOD))
    assert set(METRICS) >= {"roc_auc", "average_precision", "rmse", "f1_macro"}
