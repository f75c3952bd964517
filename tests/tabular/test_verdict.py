"""The line under the comparison table: the network against the best baseline, paired over the same folds."""

import numpy as np
import pytest

from gradwise.tabular.verdict import WITHIN, verdict, verdict_line


def entry(name, folds, metric="accuracy"):
    return {"name": name, "cv": {"metric": metric, "mean": float(np.mean(folds)), "std": float(np.std(folds)),
                                 "folds": list(folds)}}


NETWORK = [0.80, 0.84, 0.70, 0.82, 0.79]  # the third fold is hard for every model


def test_a_network_better_on_every_fold_is_ahead_although_a_hard_fold_widens_each_spread():
    baseline = [score - 0.02 for score in NETWORK]
    facts = verdict([entry("net", NETWORK), entry("LogisticRegression (standardized)", baseline)])
    assert facts["standing"] == "ahead" and facts["paired"] and facts["folds"] == 5
    assert facts["difference"] == pytest.approx(0.02) and facts["standard_error"] == pytest.approx(0.0, abs=1e-12)
    # unpaired, the hard fold's spread (0.05 a model) would have called a 0.02 difference a tie
    unpaired = np.sqrt(2 * np.var(NETWORK, ddof=1) / 5)
    assert 0.02 < WITHIN * unpaired
    line = verdict_line(facts)
    assert "against LogisticRegression (standardized)'s 0.7700" in line and "+0.0200" in line
    assert line.endswith("the network is ahead, by more than 2 standard errors.")


def test_the_best_baseline_by_its_cross_validated_mean_is_the_one_weighed_and_may_be_ahead():
    weak, strong = [s - 0.10 for s in NETWORK], [s + 0.03 + 0.002 * i for i, s in enumerate(NETWORK)]
    facts = verdict([entry("net", NETWORK), entry("LogisticRegression (standardized)", weak),
                     entry("HistGradientBoosting", strong)])
    assert facts["baseline"] == "HistGradientBoosting" and facts["standing"] == "behind"
    assert facts["difference"] == pytest.approx(-0.034)
    assert facts["network"] == pytest.approx(np.mean(NETWORK)) and facts["score"] == pytest.approx(np.mean(strong))
    assert verdict_line(facts).endswith("behind, by more than 2 standard errors; on this table HistGradientBoosting "
                                        "is the better model.")


def test_differences_that_change_sign_over_the_folds_are_level():
    baseline = [s + d for s, d in zip(NETWORK, (0.02, -0.03, 0.01, -0.02, 0.03))]
    facts = verdict([entry("net", NETWORK, "r2"), entry("Ridge (standardized)", baseline, "r2")])
    assert facts["standing"] == "level" and abs(facts["difference"]) <= WITHIN * facts["standard_error"]
    line = verdict_line(facts)
    assert line.startswith("Is the network worth it? Cross-validated r2 ") and line.endswith("level, within 2 standard errors.")
    assert "paired over the same 5 folds" in line


def test_one_validation_split_gives_the_difference_without_a_standard_error():
    facts = verdict([entry("net", [0.91]), entry("HistGradientBoosting", [0.93])])
    assert facts["standard_error"] is None and facts["standing"] == "behind" and not facts["paired"]
    assert verdict_line(facts).endswith("on the one validation split (no spread over folds to weigh it by): "
                                        "the network is behind.")


def test_a_cut_first_trial_is_weighed_on_the_first_folds_it_finished():
    baseline = [s - 0.02 for s in NETWORK[:4]] + [0.99]  # the fold the network did not reach is left out
    facts = verdict([entry("net", NETWORK[:4]), entry("HistGradientBoosting", baseline)])
    assert facts["paired"] and facts["folds"] == 4 and facts["cut_from"] == 5 and facts["standing"] == "ahead"
    assert facts["score"] == pytest.approx(np.mean(baseline[:4])) and facts["difference"] == pytest.approx(0.02)
    assert "paired over the same 4 folds of 5, all the time budget let the network finish)" in verdict_line(facts)
    # one fold finished: that fold against the baseline's same fold, not against its mean over five
    facts = verdict([entry("net", [0.50], "r2"), entry("HistGradientBoosting", [0.60, -0.5, 0.1, 0.0, 0.2], "r2")])
    assert facts["score"] == pytest.approx(0.60) and facts["standing"] == "behind" and facts["standard_error"] is None
    assert verdict_line(facts).endswith("on the first of the 5 folds, the only one the time budget let the network "
                                        "finish (no spread over folds to weigh it by): the network is behind.")


def test_without_baselines_there_is_no_verdict():
    assert verdict([entry("net", NETWORK)]) is None and verdict_line(None) is None
