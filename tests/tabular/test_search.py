"""The search of `gradwise tune`: folds of the training rows only, the ensemble choice, the time budget, bad input."""

import csv
import datetime
import functools
import json
import time

import numpy as np
import optuna
import pytest

from gradwise.cli import main
from gradwise.tabular import read_csv, split_rows
import gradwise
from gradwise.tabular import ensemble
from gradwise.tabular.ensemble import CANDIDATES, choose, groups_of_rows, loss, select
from gradwise.tabular.messy import write_customer_csv
from gradwise.tabular.search import (CV_BELOW_ROWS, FOLDS, STOPPING_SHARE, TabularTuner, make_folds, stopping_splits,
                                     trial_seconds)
from gradwise.tabular.space import build_default_model

FAST = ["--trials", "3", "--epochs", "4", "--patience", "2", "--time-budget", "900"]


def _trials(folder):
    with open(folder / "trials.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_search_never_reads_the_test_rows(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "clean.csv", rows=200, seed=5)
    table = read_csv(data)
    _, _, train_index, test_index = split_rows(table, "churned", seed=0)
    with open(data, newline="") as handle:
        rows = list(csv.reader(handle))
    for index in test_index:  # poison every feature of the test rows; the labels stay (the split is stratified)
        row = rows[index + 1]
        row[2:5] = [str(float(cell) * 1000 + 7) if cell not in ("", "NA") else "" for cell in row[2:5]]
        row[5:7] = ["poison", "poison"]
    with open(tmp_path / "poisoned.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    for name in ("clean", "poisoned"):
        assert main(["tune", "--data", str(tmp_path / f"{name}.csv"), "--target", "churned", "--runs-dir",
                     str(tmp_path / "runs"), *FAST]) == 0
    clean, poisoned = (json.loads((tmp_path / "runs" / n / "summary.json").read_text()) for n in ("clean", "poisoned"))
    assert [t["val_loss"] for t in _trials(tmp_path / "runs" / "clean")] == \
        [t["val_loss"] for t in _trials(tmp_path / "runs" / "poisoned")]
    assert clean["ensemble"] == poisoned["ensemble"] and clean["cv"] == poisoned["cv"]
    assert [b["cv"] for b in clean["baselines"]] == [b["cv"] for b in poisoned["baselines"]]
    assert clean["test"] != poisoned["test"]  # the poison did reach the test rows


def test_folds_are_stratified_k_fold_on_small_tables_and_one_split_on_large_ones():
    y = np.array([0, 1] * 50, dtype=np.float32)
    folds = make_folds(y, "binary", seed=0)
    assert len(folds) == FOLDS
    assert sorted(np.concatenate([val for _, val in folds]).tolist()) == list(range(100))
    assert all(y[val].mean() == 0.5 for _, val in folds)
    large = make_folds(np.zeros(CV_BELOW_ROWS), "regression", seed=0)
    assert len(large) == 1 and len(large[0][1]) == CV_BELOW_ROWS // 5


def test_a_class_rarer_than_the_folds_is_spread_so_every_fold_trains_on_it():
    y = np.array([0] * 96 + [1] * 4, dtype=np.float32)  # 4 rows of class 1, 5 folds
    for seed in range(5):
        folds = make_folds(y, "binary", seed=seed)
        assert all(y[fit].sum() >= 3 for fit, _ in folds)  # a plain KFold could leave a fold with only class 0
        assert sorted(int(y[val].sum()) for _, val in folds) == [0, 1, 1, 1, 1]


def test_early_stopping_rows_of_a_tiny_fold_need_not_hold_every_class():
    y = np.array([0, 1, 2] * 3 + [0])  # 8 training rows per fold: two stopping rows, three classes
    folds = make_folds(y, "multiclass", seed=0)
    for (fit, _), (train, stop) in zip(folds, stopping_splits(folds, y, "multiclass", seed=0)):
        assert len(stop) == 2 and sorted(np.concatenate([train, stop]).tolist()) == sorted(fit.tolist())


def test_a_baseline_is_skipped_with_the_reason_when_a_fold_trains_on_one_class():
    from gradwise.tabular import load_dataset, prepare
    from gradwise.tabular.baselines import run_baselines

    table, target = load_dataset("pima")
    prepared = prepare(table, target)
    positives = np.flatnonzero(prepared.y_train == 1)
    folds = make_folds(prepared.y_train, prepared.task, 0)
    fit, val = folds[0]
    folds[0] = (np.setdiff1d(fit, positives), np.union1d(val, positives))  # fold 0 trains on class 0 only
    results = run_baselines(prepared, folds)
    assert [b["skipped"] for b in results] == ["a fold's training rows hold a single class"] * 2


def test_early_stopping_rows_come_from_the_folds_training_rows_never_from_its_validation_rows():
    y = np.array([0] * 150 + [1] * 50, dtype=np.float32)
    folds = make_folds(y, "binary", seed=0)
    for (fit, val), (train, stop) in zip(folds, stopping_splits(folds, y, "binary", seed=0)):
        assert sorted(np.concatenate([train, stop]).tolist()) == sorted(fit.tolist())
        assert not set(stop) & set(val) and not set(train) & set(stop)
        assert len(stop) == pytest.approx(STOPPING_SHARE * len(fit), abs=1) and y[stop].mean() == pytest.approx(0.25, abs=0.02)


def test_ensemble_selection_keeps_the_best_trial_unless_the_mix_scores_better():
    y = np.array([0, 1, 0, 1, 1, 0], dtype=np.float64)
    good = np.array([0.2, 0.8, 0.3, 0.7, 0.6, 0.4])
    weights, chosen, single = select("binary", [good, good.copy()], y)
    assert weights.tolist() == [1.0, 0.0] and chosen == single == loss("binary", good, y)
    over = np.array([0.01, 0.99, 0.9, 0.99, 0.99, 0.01])  # confident, one bad miss
    under = np.array([0.4, 0.6, 0.45, 0.55, 0.55, 0.45])  # right, timid
    assert loss("binary", over, y) < loss("binary", under, y)
    weights, chosen, single = select("binary", [over, under], y)
    assert chosen < single == loss("binary", over, y)
    assert 0 < weights[1] < weights[0] and weights.sum() == pytest.approx(1.0)


def _noisy_candidates(rows=400, seed=0, noise=0.3):
    """A decent binary predictor first, then seven that are pure noise around 0.5."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.5).astype(np.float64)
    decent = np.clip(np.where(y == 1, 0.65, 0.35) + rng.normal(0, 0.2, rows), 0.02, 0.98)
    noise = [np.clip(0.5 + rng.normal(0, noise, rows), 0.02, 0.98) for _ in range(7)]
    return y, [decent, *noise]


def test_the_nested_choice_never_uses_a_groups_own_rows():
    y, predictions = _noisy_candidates()
    groups = np.arange(len(y)) % 5
    before = choose("binary", predictions, y, groups)
    flipped = y.copy()
    flipped[groups == 0] = 1 - flipped[groups == 0]  # the labels of group 0 only
    after = choose("binary", predictions, flipped, groups)
    np.testing.assert_array_equal(before.nested[groups == 0], after.nested[groups == 0])
    flipped[groups < 3] = 1 - y[groups < 3]  # and now most rows: group 3's choice, made on them, changes
    assert not np.array_equal(before.nested[groups == 3], choose("binary", predictions, flipped, groups).nested[groups == 3])


def test_noise_mixed_in_sample_is_not_chosen_when_the_nested_estimate_shows_no_gain():
    fooled, chosen = 0, 0
    for seed in range(40):  # 100 rows, a decent predictor and seven of pure noise, 40 draws
        y, predictions = _noisy_candidates(rows=100, seed=seed, noise=0.2)
        in_sample, _, _ = select("binary", predictions, y)
        if in_sample[0] < 1.0:  # scored on the rows it was chosen on, a mix with noise looked better
            fooled += 1
            choice = choose("binary", predictions, y, np.arange(len(y)) % 5)
            chosen += choice.ensemble
            assert choice.in_sample_loss <= choice.nested_loss
    assert fooled >= 4 and chosen == 0


def test_a_real_gain_from_mixing_is_kept_and_estimated_honestly():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=600)
    y = truth + rng.normal(0, 0.3, 600)
    first, second = truth + rng.normal(0, 0.5, 600), truth + rng.normal(0, 0.5, 600)  # independent errors
    choice = choose("regression", [first, second], y, np.arange(600) % 5)
    assert choice.ensemble and 0.3 < choice.weights[0] < 0.7
    assert choice.in_sample_loss <= choice.nested_loss < loss("regression", first, y)


def test_the_simplest_candidate_wins_ties_within_one_standard_error():
    ties = 0
    for seed in range(20):  # the other is the simple one plus a little noise: any gain it shows is noise
        rng = np.random.default_rng(seed)
        truth = rng.normal(size=300)
        y = truth + rng.normal(0, 0.5, 300)
        simple = truth + rng.normal(0, 0.4, 300)
        other = simple + rng.normal(0, 0.05, 300)
        choice = choose("regression", [other, simple], y, np.arange(300) % 5, simplest=1)
        kept_by_ranks = choice.signed_rank_z is not None and choice.signed_rank_z > ensemble.signed_rank_critical()
        assert choice.simplest == (choice.simplest_margin <= ensemble.SIMPLEST_WITHIN
                                   and choice.paired_t <= choice.paired_critical and not kept_by_ranks)
        if loss("regression", other, y) < loss("regression", simple, y) and choice.simplest:
            ties += 1  # the other looked better, yet within the standard errors: the simplest is taken
            assert choice.weights.tolist() == [0.0, 1.0] and choice.nested_loss == loss("regression", simple, y)
            np.testing.assert_array_equal(choice.nested, simple)
    assert ties >= 3


def test_a_clearly_better_model_is_kept_over_the_simplest_candidate():
    rng = np.random.default_rng(4)
    truth = rng.normal(size=300)
    y = truth + rng.normal(0, 0.3, 300)
    better, simple = truth + rng.normal(0, 0.2, 300), truth + rng.normal(0, 0.8, 300)
    choice = choose("regression", [better, simple], y, np.arange(300) % 5, simplest=1)
    assert not choice.simplest and choice.simplest_margin > ensemble.SIMPLEST_WITHIN and choice.weights[0] > choice.weights[1]
    assert choose("regression", [better, simple], y, np.arange(300) % 5).simplest_margin is None


def test_a_model_better_on_every_fold_of_uneven_difficulty_is_kept_by_the_paired_test():
    rng = np.random.default_rng(0)
    groups = np.arange(500) % 5
    truth = rng.normal(size=500)
    y = truth + rng.normal(0, 1, 500) * np.where(groups == 4, 6.0, 0.5)  # one fold far noisier: uneven folds
    simple, better = truth + rng.normal(0, 0.6, 500), truth + rng.normal(0, 0.3, 500)
    choice = choose("regression", [better, simple], y, groups, simplest=1)
    # Breiman's unpaired standard error sees the folds' spread, which both models share...
    assert choice.simplest_margin <= ensemble.SIMPLEST_WITHIN
    # ...the paired differences on the same folds do not: the better model is kept
    assert choice.paired_t > choice.paired_critical == pytest.approx(2.776, abs=1e-3)
    assert not choice.simplest and choice.weights[0] == 1.0
    from types import SimpleNamespace

    from gradwise.tabular.report import Reporter

    line = Reporter._choice_line([(SimpleNamespace(number=3), 1.0)], choice)
    assert f"better on the same folds by a paired t-test (t {choice.paired_t:.2f} > 2.78)" in line


def test_a_regression_model_better_on_most_rows_of_a_heavy_tailed_target_is_kept_by_the_signed_rank_test():
    from types import SimpleNamespace

    from gradwise.tabular.report import Reporter

    rng = np.random.default_rng(1)
    groups = np.arange(500) % 5
    truth = rng.normal(size=500)
    y = truth + rng.normal(0, 0.3, 500)
    y[:10] += rng.choice([-1, 1], 10) * rng.uniform(10, 60, 10)  # two far rows a fold, of uneven size
    better, simple = truth + rng.normal(0, 0.3, 500), truth + rng.normal(0, 0.5, 500)
    choice = choose("regression", [better, simple], y, groups, simplest=1)
    # the far rows' squared errors swamp both fold-wise tests...
    assert choice.simplest_margin <= ensemble.SIMPLEST_WITHIN and choice.paired_t <= choice.paired_critical
    # ...not the ranks of the rows' differences: the better model is kept
    assert choice.signed_rank_z > ensemble.signed_rank_critical() == pytest.approx(1.96, abs=1e-2)
    assert not choice.simplest and choice.weights[0] == 1.0
    line = Reporter._choice_line([(SimpleNamespace(number=3), 1.0)], choice, SimpleNamespace(user_attrs={}))
    assert f"but better row by row by Wilcoxon's signed-rank test of the squared errors (z {choice.signed_rank_z:.2f}" in line
    # classes are left to the fold-wise tests: the ranks of the rows' log losses would call a surer model
    # better (z 7.5) where neither test does, and are not asked
    labels = (truth + rng.normal(0, 1, 500) > 0).astype(float)
    sure, unsure = 1 / (1 + np.exp(-2 * truth)), 1 / (1 + np.exp(-truth))
    choice = choose("binary", [sure, unsure], labels, groups, simplest=1)
    assert ensemble.loss("binary", sure, labels) < ensemble.loss("binary", unsure, labels)
    assert ensemble.signed_rank_z("binary", unsure, sure, labels) > 7
    assert choice.simplest and choice.signed_rank_z is None


def test_one_validation_split_is_cut_into_groups_for_the_nested_choice():
    folds = [(np.arange(0, 80), np.arange(80, 100))]
    covered = np.zeros(100, dtype=bool)
    covered[80:] = True
    groups = groups_of_rows(folds, 100, covered)
    assert (groups[:80] == -1).all() and sorted(np.bincount(groups[80:]).tolist()) == [4] * 5


def test_the_final_model_is_the_fold_networks_the_cross_validation_scored(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "bag.csv", rows=200, seed=6)
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(tmp_path / "runs"),
                 "--trials", "11", "--epochs", "3", "--patience", "2", "--time-budget", "900", "--no-baselines",
                 "--pruner", "none"]) == 0
    run = tmp_path / "runs" / "bag"
    summary = json.loads((run / "summary.json").read_text())
    model = gradwise.load_model(run / "best.gw")
    members = summary["ensemble"]["trials"]
    assert summary["ensemble"]["folds_per_trial"] == [FOLDS] * len(members)
    assert len(model.networks) == FOLDS * len(members)
    # each fold network of the heaviest member predicts its validation rows as the trial's out-of-fold file says
    prepared = gradwise.tabular.prepare(read_csv(data), "churned", impute="median")
    folds = make_folds(prepared.y_train, prepared.task, 0)
    oof = np.load(run / "trials" / f"trial_{members[0]:04d}_oof.npy")
    for network, (_, val) in zip(model.networks[:FOLDS], folds):
        np.testing.assert_allclose(network.predict(prepared.x_train[val], verbose=0).reshape(len(val), -1), oof[val],
                                   rtol=1e-6)
    kept = {int(path.name.split("_fold")[0][6:]) for path in (run / "trials").glob("trial_*_fold*.gw")}
    trials = _trials(run)
    ranked = sorted((float(t["val_loss"]), int(t["number"])) for t in trials if t["state"] == "COMPLETE")
    plain = [entry for entry in ranked if trials[entry[1]]["epochs"] == "0" and trials[entry[1]].get("numbers") != "piecewise"]
    best_linear = min(plain, default=None)  # the plain linear trial, the final choice's fallback, whatever it ranks
    expected = {number for _, number in ranked[:CANDIDATES]} | ({best_linear[1]} if best_linear else set())
    assert kept == expected and len(kept) < summary["trials"]["complete"]  # those that fell out were deleted
    trained = [number for number in members if not _trials(run)[number]["epochs"] in ("", "0")]
    assert (run / "doctor.json").exists() == bool(trained)  # a solved linear member has no training to diagnose
    honest, in_sample = summary["cv"], summary["ensemble"]["in_sample_cv"]
    assert len(honest["folds"]) == FOLDS and honest["mean"] <= in_sample["mean"] + 0.05


def _finished(number, seconds):
    start = datetime.datetime(2026, 1, 1)
    return optuna.trial.FrozenTrial(number=number, state=optuna.trial.TrialState.COMPLETE, value=0.5,
                                    datetime_start=start, datetime_complete=start + datetime.timedelta(seconds=seconds),
                                    params={}, distributions={}, user_attrs={}, system_attrs={},
                                    intermediate_values={}, trial_id=number)


def test_a_trial_is_expected_to_take_the_median_of_the_recent_complete_trials():
    assert trial_seconds([]) is None
    trials = [_finished(number, seconds) for number, seconds in enumerate([100, 100, 100, 1, 2, 3])]
    assert trial_seconds(trials[::-1], recent=3) == 2.0  # the last three by number, in any order
    assert trial_seconds(trials) == 51.5


@pytest.mark.parametrize("past_trial_seconds, starts", [(3600, False), (0.01, True)])
def test_no_trial_starts_when_the_time_left_is_shorter_than_a_trial(tmp_path, past_trial_seconds, starts):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = (x[:, :1] > 0).astype(np.float64)
    build = functools.partial(build_default_model, features=3, task="binary")
    tuner = TabularTuner(build, make_folds(y, "binary", 0), deadline=time.time() + 300, max_trials=3, pruner=None,
                         directory=str(tmp_path), project_name="gate", seed=0)
    tuner.study.add_trial(_finished(0, past_trial_seconds))  # an earlier run's trial: how long one takes
    tuner.search(x, y, epochs=2, batch_size=16, verbose=0)
    ran = [t for t in tuner.study.get_trials(deepcopy=False) if t.number > 0 and t.state.is_finished()]
    assert bool(ran) == starts  # an hour per trial does not fit in the 300 s left: the queued trials wait


def test_time_budget_is_honoured(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "budget.csv", rows=300, seed=2)
    started = time.time()
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(tmp_path / "runs"),
                 "--time-budget", "10", "--trials", "1000", "--no-baselines"]) == 0  # more than 10 s can run: on
    # an idle machine with the kernels compiled, all of 60 trials (most pruned after a fold) finished in the 10 s
    elapsed = time.time() - started
    summary = json.loads((tmp_path / "runs" / "budget" / "summary.json").read_text())
    assert summary["seconds"] <= 10 * 1.1 and elapsed <= 10 * 1.1 + 1.0
    assert summary["trials"]["complete"] >= 1 and summary["trials"]["waiting"] > 0  # the budget, not the trials, ended it


@pytest.mark.parametrize("argv, message", [
    (["--time-budget", "-5"], "--time-budget must be a positive number of seconds, got -5"),
    (["--timeout", "-1"], "--timeout must be a positive number of seconds, got -1"),
])
def test_negative_budgets_are_usage_errors(tmp_path, capsys, argv, message):
    assert main(["tune", "--dataset", "pima", "--runs-dir", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def _write(path, content):
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file (it holds NUL bytes), not comma-separated text"),
    ("a,b\n1,caf\xe9\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9 at offset 9 is invalid); it may be cp1252"),
    (b"a,b\n1,\"" + b"x" * 140_000 + b"\n", "line 2: a cell is longer than the csv module's limit of 131,072"),
    (b"a,b\n1,1\n2,1\n3,1\n", "The target column 'b' has a single value ['1']: there is nothing to learn."),
])
def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, capsys, content, message):
    path = _write(tmp_path / "bad.csv", content)
    assert main(["tune", "--data", path, "--target", "b", "--runs-dir", str(tmp_path / "runs")]) == 1
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1
    if "target" not in message:
        assert "bad.csv" in error


def test_drop_naming_a_missing_column_is_an_error(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "c.csv", rows=60)
    assert main(["tune", "--data", str(data), "--target", "churned", "--drop", "age,shoe_size",
                 "--runs-dir", str(tmp_path / "runs")]) == 1
    assert "--drop names column(s) ['shoe_size']" in capsys.readouterr().err


def test_baselines_stop_at_their_share_and_a_spent_budget_still_ends_with_a_model(tmp_path, capsys, monkeypatch):
    from gradwise.tabular import baselines, load_dataset, prepare
    from gradwise.tabular.baselines import run_baselines

    table, target = load_dataset("pima")
    prepared = prepare(table, target)
    folds = make_folds(prepared.y_train, prepared.task, 0)
    skipped = run_baselines(prepared, folds, deadline=time.time() - 1)
    assert [b["skipped"] for b in skipped] == ["not started: the time budget was spent before its turn"] * 2
    clock = iter(range(1000))  # a clock a second further at each look: the deadline passes after the first fold
    monkeypatch.setattr(baselines.time, "time", lambda: float(next(clock)))
    skipped = run_baselines(prepared, folds, deadline=1.5)
    assert skipped[0]["skipped"] == "stopped at its share of the time budget"
    monkeypatch.undo()
    assert main(["tune", "--dataset", "pima", "--runs-dir", str(tmp_path), "--time-budget", "0.5"]) == 0
    summary = json.loads((tmp_path / "pima" / "summary.json").read_text())
    assert summary["trials"]["complete"] == 1 and summary["ensemble"]["trials"] == [0]


def test_networks_no_trial_deleted_in_a_race_are_deleted_once_the_search_ends(tmp_path, monkeypatch):
    from gradwise.tabular import search
    from gradwise.tabular.search import is_simplest
    from gradwise.tabular.space import default_builder

    prepared = gradwise.tabular.prepare(read_csv(write_customer_csv(tmp_path / "race.csv", rows=120, seed=2)),
                                        "churned", impute="median")
    tuner = TabularTuner(default_builder(prepared), make_folds(prepared.y_train, prepared.task, 0),
                         deadline=time.time() + 300, max_trials=CANDIDATES + 3, pruner=None, workers=1,
                         directory=str(tmp_path), project_name="race", seed=0)
    keep_all = lambda ranked, simplest: {number for _, number, _ in ranked}  # noqa: E731 - as if every trial raced
    monkeypatch.setattr(search, "_kept", keep_all)
    tuner.search(prepared.x_train, prepared.y_train, epochs=2, batch_size=16, verbose=0)
    complete = tuner.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    assert sum(tuner.has_networks(t) for t in complete) == len(complete) > CANDIDATES + 1  # nothing deleted so far
    monkeypatch.undo()
    tuner.search(prepared.x_train, prepared.y_train, epochs=2, batch_size=16, verbose=0)  # no trial left: the prune
    ranked = sorted(complete, key=lambda t: (t.values[0], t.number))
    best_simplest = next(t.number for t in ranked if is_simplest(t))
    assert {t.number for t in complete if tuner.has_networks(t)} == {t.number for t in ranked[:CANDIDATES]} | {best_simplest}


def test_the_printed_final_model_line_says_which_rule_chose_it():
    from types import SimpleNamespace

    from gradwise.tabular.report import Reporter

    rng = np.random.default_rng(4)
    truth = rng.normal(size=300)
    y = truth + rng.normal(0, 0.3, 300)
    better, simple = truth + rng.normal(0, 0.2, 300), truth + rng.normal(0, 0.8, 300)
    trials = [SimpleNamespace(number=7), SimpleNamespace(number=2)]
    kept = choose("regression", [better, simple], y, np.arange(300) % 5, simplest=1)
    line = Reporter._choice_line([(trials[0], 1.0)], kept)
    assert "trial 7" in line and "standard errors of" not in line and f"{kept.nested_single_loss:.4f}" in line
    close = simple + rng.normal(0, 0.01, 300)  # no better than the simple model, beyond noise
    taken = choose("regression", [close, simple], y, np.arange(300) % 5, simplest=1)
    assert taken.simplest
    line = Reporter._choice_line([(trials[1], 1.0)], taken)
    assert "trial 2" in line and "standard-error rule" in line
    assert (f"{taken.simplest_margin:.2f} SE" in line) == (taken.simplest_margin > 0)
    assert ("no worse" in line) == (taken.simplest_margin <= 0)
    for seed in range(20):  # a network that looked a little better, within the standard errors
        rng = np.random.default_rng(seed)
        truth = rng.normal(size=300)
        y = truth + rng.normal(0, 0.5, 300)
        simple = truth + rng.normal(0, 0.4, 300)
        taken = choose("regression", [simple + rng.normal(0, 0.05, 300), simple], y, np.arange(300) % 5, simplest=1)
        if taken.simplest and taken.simplest_margin > 0:
            line = Reporter._choice_line([(trials[1], 1.0)], taken)
            assert f"within {ensemble.SIMPLEST_WITHIN:g} standard errors" in line and f"({taken.simplest_margin:.2f} SE)" in line
            break
    else:
        pytest.fail("no seed gave a tie within the standard errors")
    assert "too few" in Reporter._choice_line([(trials[0], 1.0)], None)
    assert "best plain linear model" in Reporter._choice_line([(trials[1], 1.0)], taken)
    spline = SimpleNamespace(number=2, params={"layers": 0, "numbers": "piecewise"})  # a one-curve table's fallback
    line = Reporter._choice_line([(spline, 1.0)], taken)
    assert "best spline of the table's one number" in line and "plain" not in line


def test_boosting_baselines_grow_in_chunks_the_same_trees_and_stop_at_the_deadline():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from gradwise.tabular import baselines

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(400, 5)), rng.integers(0, 3, 400)
    whole = HistGradientBoostingClassifier(random_state=0).fit(x, y)
    grown = baselines._fit(HistGradientBoostingClassifier(random_state=0), x, y, time.time() + 600)
    assert grown.n_iter_ == whole.n_iter_ == 100
    np.testing.assert_array_equal(grown.predict_proba(x), whole.predict_proba(x))
    with pytest.raises(baselines._OutOfTime):  # the clock is checked between chunks, not after the whole fit
        baselines._fit(HistGradientBoostingClassifier(random_state=0), x, y, time.time() - 1)


@pytest.mark.parametrize("curves", [1, 2])
def test_a_one_curve_tables_spline_is_the_final_choices_fallback_beside_the_plain_model(tmp_path, curves):
    from gradwise.tabular.search import is_simplest
    from gradwise.tabular.space import default_builder, portfolio
    from gradwise.tabular.table import Table

    rng = np.random.default_rng(0)
    clock = 1990 + np.arange(120.0) / 4  # quarters: not an identifier
    columns = {"t": clock} if curves == 1 else {"t": clock, "u": rng.normal(size=120)}
    y = np.sin((clock - 1990) / 5) + rng.normal(0, 0.2, 120)  # a curve no line draws
    table = Table({**{name: np.array([f"{v:.4f}" for v in values], dtype=object) for name, values in columns.items()},
                   "y": np.array([f"{v:.4f}" for v in y], dtype=object)})
    prepared = gradwise.tabular.prepare(table, "y", impute="median")
    build = default_builder(prepared)
    starts = [params for params in portfolio(len(prepared.x_train), numbers=True, fine=True)
              if params["layers"] == 0][:3]  # the plain linear model, the spline of 8 bins, the finer one
    tuner = TabularTuner(build, make_folds(prepared.y_train, "regression", 0), deadline=time.time() + 300,
                         max_trials=len(starts), pruner=None, directory=str(tmp_path), project_name="series", seed=0)
    tuner.enqueue_portfolio(starts)
    tuner.search(prepared.x_train, prepared.y_train, epochs=2, batch_size=16, verbose=0)
    trials = sorted(tuner.study.get_trials(deepcopy=False), key=lambda t: t.values[0])
    assert [t.params["numbers"] for t in trials].count("piecewise") == 2
    assert trials[0].params["numbers"] == "piecewise"  # a spline fits the sine far better than a line
    # with one curve every linear trial is a fallback; with two the encoded one is an additive model, not a fallback
    assert [is_simplest(t) for t in trials] == [curves == 1 or t.params["numbers"] == "standard" for t in trials]
