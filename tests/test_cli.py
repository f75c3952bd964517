"""The command line, in process through main(argv): tune, predict, resume, errors, --help everywhere."""

import contextlib
import csv
import io
import json
import subprocess
import sys
import types

import numpy as np
import pytest

import gradwise
from gradwise.cli import main
from gradwise.tabular import TabularModel, load_dataset, load_tabular_model, prepare
from gradwise.tabular.verdict import verdict_line

# A budget that never binds: these tests check results, not timing (test_search checks the budget).
FAST = ["--trials", "3", "--epochs", "3", "--patience", "2", "--time-budget", "900", "--no-baselines"]


def _read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _tune(tmp_path, *args):
    return main(["tune", *args, "--runs-dir", str(tmp_path / "runs"), *FAST])


@pytest.fixture(scope="module")
def pima_run(tmp_path_factory):
    """One small Pima search shared by the tests that read its outputs."""
    folder = tmp_path_factory.mktemp("cli")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["tune", "--dataset", "pima", "--name", "pima", "--runs-dir", str(folder / "runs"), *FAST[:-1]]) == 0
    (folder / "runs" / "pima" / "printed.txt").write_text(printed.getvalue())
    return folder / "runs" / "pima"


@pytest.mark.parametrize("argv, expected", [
    ([], "usage: gradwise"), (["--help"], "tune"), (["tune", "--help"], "--dataset {pima,digits}"),
    (["predict", "--help"], "--model FILE"),
])
def test_help_for_every_command(capsys, argv, expected):
    assert main(argv) in (0, 2)
    assert expected in capsys.readouterr().out
    assert main(["--help"]) == 0


def test_usage_errors_exit_2(capsys):
    assert main(["tune", "--dataset", "iris"]) == 2
    assert "invalid choice: 'iris'" in capsys.readouterr().err
    assert main(["tune", "--dataset", "pima", "--trials", "0"]) == 2
    assert main(["tune"]) == 2


def test_tune_prints_progress_table_and_test_score_and_writes_the_run(pima_run, capsys):
    summary = json.loads((pima_run / "summary.json").read_text())
    assert summary["task"] == "binary" and summary["classes"] == ["0", "1"] and summary["objective"] == "val_loss"
    assert summary["trials"]["complete"] + summary["trials"]["pruned"] == 3
    assert summary["rows"] == {"train": 614, "test": 154} and summary["folds"] == 5
    trials = _read_csv(pima_run / "trials.csv")
    assert [row["number"] for row in trials] == ["0", "1", "2"]
    # the first three start configurations are linear: plain, on the encoded numbers, on the finer encoding
    assert {"state", "val_loss", "duration_s", "epochs", "seed", "layers", "l2", "numbers", "fine_bins"} <= set(trials[0])
    assert [row["fine_bins"] for row in trials] == ["", "False", "True"]
    assert trials[0]["layers"] == "0"  # the portfolio starts with the linear model (logistic regression)
    names = [entry["name"] for entry in summary["comparison"]]
    assert names[0].startswith("gradwise network") and names[1:] == ["LogisticRegression (standardized)",
                                                                      "HistGradientBoosting"]
    for entry in summary["comparison"]:
        assert entry["cv"]["metric"] == "accuracy" and len(entry["cv"]["folds"]) == 5
        assert entry["cv"]["std"] == pytest.approx(np.std(entry["cv"]["folds"]))
        assert 0.5 < entry["test"]["accuracy"] <= 1 and entry["test"]["log_loss"] > 0
        assert 0.5 < entry["test"]["balanced_accuracy"] <= 1 and 0.5 < entry["test"]["roc_auc"] <= 1
    assert summary["imbalance"] is None  # a third of Pima's rows are diabetic: not imbalanced
    network, *baselines = summary["comparison"]
    best = max(baselines, key=lambda b: b["cv"]["mean"])
    assert summary["verdict"]["baseline"] == best["name"] and summary["verdict"]["paired"]
    assert summary["verdict"]["difference"] == pytest.approx(np.mean(network["cv"]["folds"]) - np.mean(best["cv"]["folds"]))
    printed = (pima_run / "printed.txt").read_text()
    assert verdict_line(summary["verdict"]) in printed.splitlines()
    assert printed.index("Held-out test (") < printed.index("Is the network worth it?")
    for plot in ("optimization_history.png", "param_importances.png"):
        assert (pima_run / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (pima_run / "study.journal").exists()
    best = summary["best_trial"]["number"]
    assert trials[best]["state"] == "COMPLETE"
    assert min(float(row["val_loss"]) for row in trials if row["state"] == "COMPLETE") == pytest.approx(
        summary["best_trial"]["value"])


def test_best_model_carries_its_preprocessing_and_predicts_raw_rows(pima_run, tmp_path, capsys):
    model = gradwise.load_model(pima_run / "best.gw")
    assert isinstance(model, TabularModel)
    preprocessing = model.preprocessing
    assert preprocessing["target"] == "Outcome" and preprocessing["target_encoding"]["classes"] == ["0", "1"]
    assert [c["name"] for c in preprocessing["features"]["numeric"]][:2] == ["Pregnancies", "Glucose"]

    # The held-out rows, raw, with the label column: predict must reproduce the reported test accuracy.
    table, target = load_dataset("pima")
    prepared = prepare(table, target, seed=0)
    rows = table.take(prepared.test_index)
    raw = tmp_path / "test_rows.csv"
    with open(raw, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows.names)
        writer.writerows(zip(*(rows[name] for name in rows.names)))
    output = tmp_path / "predictions.csv"
    assert main(["predict", "--model", str(pima_run / "best.gw"), "--data", str(raw), "--output", str(output)]) == 0
    predictions = _read_csv(output)
    assert len(predictions) == 154
    for row in predictions:
        assert float(row["probability_0"]) + float(row["probability_1"]) == pytest.approx(1.0, abs=2e-6)
        assert row["prediction"] == ("1" if float(row["probability_1"]) > 0.5 else "0")
    accuracy = np.mean([row["prediction"] == label for row, label in zip(predictions, prepared.test_cells)])
    summary = json.loads((pima_run / "summary.json").read_text())
    assert accuracy == pytest.approx(summary["test"]["accuracy"])
    expected = model.predict(rows)[:, 1]  # load_model in Python: the same raw rows, the same numbers
    np.testing.assert_allclose([float(row["probability_1"]) for row in predictions], expected, atol=1e-6)


def test_predict_names_missing_and_extra_columns(pima_run, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Pregnancies,Glucose,Colour\n1,100,red\n")
    assert main(["predict", "--model", str(pima_run / "best.gw"), "--data", str(bad)]) == 1
    error = capsys.readouterr().err
    assert "missing column(s) ['BloodPressure', 'SkinThickness', 'Insulin', 'BMI', 'DiabetesPedigreeFunction', 'Age']" in error
    assert "unexpected column(s) ['Colour']" in error


def test_predict_refuses_a_model_without_preprocessing(tmp_path, capsys):
    model = gradwise.Sequential([gradwise.Input((2,)), gradwise.Dense(1)])
    model.save(tmp_path / "plain.gw")
    data = tmp_path / "rows.csv"
    data.write_text("a,b\n1,2\n")
    assert main(["predict", "--model", str(tmp_path / "plain.gw"), "--data", str(data)]) == 1
    assert "has no preprocessing" in capsys.readouterr().err


def test_rerun_resumes_the_study_and_other_data_is_refused(tmp_path, capsys):
    assert _tune(tmp_path, "--dataset", "pima", "--name", "again") == 0
    capsys.readouterr()
    assert main(["tune", "--dataset", "pima", "--name", "again", "--runs-dir", str(tmp_path / "runs"),
                 "--trials", "4", "--epochs", "3", "--patience", "2", "--time-budget", "900"]) == 0
    out = capsys.readouterr().out
    assert "resuming with 3 finished" in out
    assert sum(line.startswith("Trial ") for line in out.splitlines()) == 1
    assert len(_read_csv(tmp_path / "runs" / "again" / "trials.csv")) == 4
    with pytest.warns(UserWarning, match="keeps that seed"):
        assert main(["tune", "--dataset", "pima", "--name", "again", "--runs-dir", str(tmp_path / "runs"),
                     "--seed", "5", *FAST]) == 1
    assert "was run on other data or settings" in capsys.readouterr().err


def _mixed_csv(path, rows=120, missing=False, seed=0):
    rng = np.random.default_rng(seed)
    size = rng.normal(0, 1, rows)
    colour = rng.choice(["red", "green", "blue"], rows)
    price = 3 * size + (colour == "red") * 2 + rng.normal(0, 0.1, rows)
    label = np.where(price > 1, "expensive", "cheap")
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["size", "colour", "price", "label"])
        for index in range(rows):
            cell = "" if missing and index == 7 else f"{size[index]:.4f}"
            writer.writerow([cell, colour[index], f"{price[index]:.4f}", label[index]])
    return path


def test_csv_with_text_columns_missing_values_and_impute(tmp_path, capsys):
    data = _mixed_csv(tmp_path / "shop.csv", missing=True)
    assert _tune(tmp_path, "--data", str(data), "--target", "label", "--impute", "none") == 1
    error = capsys.readouterr().err
    assert "missing values in column(s) 'size' (1 missing, first on line 9)" in error and "--impute" in error
    assert _tune(tmp_path, "--data", str(data), "--target", "label", "--impute", "mean") == 0
    out = capsys.readouterr().out
    assert "target 'label' (binary, 2 classes)" in out
    assert "Imputing 1 missing value(s) of 'size'" in out
    preprocessing = load_tabular_model(tmp_path / "runs" / "shop" / "best.gw").preprocessing
    assert preprocessing["features"]["categorical"][0]["categories"] == ["blue", "green", "red"]
    assert preprocessing["features"]["numeric"][0]["fill"] is not None


def test_regression_is_inferred_and_predicts_values(tmp_path, capsys):
    data = _mixed_csv(tmp_path / "prices.csv")
    rows = tmp_path / "rows.csv"
    rows.write_text("size,colour,label\n0.5,red,cheap\n-1.0,blue,cheap\n")
    assert _tune(tmp_path, "--data", str(data), "--target", "price") == 0
    summary = json.loads((tmp_path / "runs" / "prices" / "summary.json").read_text())
    assert summary["task"] == "regression" and summary["test"]["mae"] >= 0 and "rmse" in summary["test"]
    assert summary["test"]["r2"] > 0.5 and summary["cv"]["metric"] == "r2"
    capsys.readouterr()
    assert main(["predict", "--model", str(tmp_path / "runs" / "prices" / "best.gw"), "--data", str(rows)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "line,prediction" and len(lines) == 3
    assert all(np.isfinite(float(line.split(",")[1])) for line in lines[1:])


def test_task_override_and_digits_multiclass(tmp_path, capsys):
    data = _mixed_csv(tmp_path / "shop.csv")
    assert _tune(tmp_path, "--data", str(data), "--target", "price", "--task", "binary") == 1
    assert "--task binary needs exactly 2 classes" in capsys.readouterr().err
    assert main(["tune", "--dataset", "digits", "--runs-dir", str(tmp_path / "runs"), "--trials", "1", "--epochs", "1",
                 "--time-budget", "900", "--no-baselines"]) == 0
    summary = json.loads((tmp_path / "runs" / "digits" / "summary.json").read_text())
    assert summary["task"] == "multiclass" and summary["classes"] == [str(d) for d in range(10)]
    assert 0.0 <= summary["test"]["accuracy"] <= 1.0


def test_a_whole_number_target_read_as_classes_says_how_to_read_it_as_a_quantity(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    visits = np.clip(np.round(2 + x + rng.normal(0, 0.5, 120)), 0, 5).astype(int)  # a count of 0-5
    data = tmp_path / "visits.csv"
    data.write_text("x,visits\n" + "".join(f"{a:.4f},{v}\n" for a, v in zip(x, visits)))
    hint = "whole numbers read as classes: if they are a quantity (a count, a score), use --task regression"
    assert _tune(tmp_path, "--data", str(data), "--target", "visits") == 0
    assert f"(multiclass, {len(set(visits))} classes; {hint})" in capsys.readouterr().out
    for task in ("multiclass", "regression"):  # a task the user chose is not second-guessed
        assert _tune(tmp_path, "--data", str(data), "--target", "visits", "--task", task, "--overwrite") == 0
        assert hint not in capsys.readouterr().out


def test_a_count_whose_rare_values_are_seen_once_is_tuned_as_a_quantity(tmp_path, capsys):
    rng = np.random.default_rng(1)
    x = rng.normal(size=120)
    visits = np.minimum(rng.poisson(np.exp(0.5 + 0.6 * x)), 9)
    visits[:3] = [14, 19, 31]  # the sparse tail of a count: as classes, each would have one row
    data = tmp_path / "visits.csv"
    data.write_text("x,visits\n" + "".join(f"{a:.4f},{v}\n" for a, v in zip(x, visits)))
    assert _tune(tmp_path, "--data", str(data), "--target", "visits") == 0
    out = capsys.readouterr().out
    assert "(regression; whole numbers read as a quantity: 7, 14, 19, 31 occur once each" in out
    assert "(if they are codes, merge or drop the rows of the codes seen once)" in out
    assert json.loads((tmp_path / "runs" / "visits" / "summary.json").read_text())["task"] == "regression"
    assert _tune(tmp_path, "--data", str(data), "--target", "visits", "--task", "multiclass", "--overwrite") == 1
    assert "class(es) of the target have a single row (7, 14, 19, 31)" in capsys.readouterr().err


def test_a_count_of_too_many_values_for_its_rows_is_tuned_as_a_quantity(tmp_path, capsys):
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    counts = np.clip(np.round(8 + 4 * x), 0, 15).astype(int)  # a count of 0-15 on 40 rows, some values once
    data = tmp_path / "broods.csv"
    data.write_text("x,young\n" + "".join(f"{a:.4f},{v}\n" for a, v in zip(x, counts)))
    assert _tune(tmp_path, "--data", str(data), "--target", "young") == 0
    values, rows = np.unique(counts, return_counts=True)
    once = ", ".join(str(v) for v in values[rows == 1][:5])
    out = capsys.readouterr().out
    assert f"(regression; whole numbers read as a quantity: {once}" in out
    assert f"occur once each, among {len(values)} values on 40 rows, too many for classes" in out
    assert json.loads((tmp_path / "runs" / "broods" / "summary.json").read_text())["task"] == "regression"


def test_data_errors_exit_1_with_one_line(tmp_path, capsys):
    assert _tune(tmp_path, "--data", str(tmp_path / "none.csv"), "--target", "y") == 1
    assert "CSV file" in capsys.readouterr().err
    data = _mixed_csv(tmp_path / "shop.csv")
    assert _tune(tmp_path, "--data", str(data)) == 1
    assert "--target COLUMN is required with --data" in capsys.readouterr().err
    assert _tune(tmp_path, "--data", str(data), "--target", "cost") == 1
    error = capsys.readouterr().err
    assert "--target 'cost' is not a column" in error and "did you mean" not in error
    assert _tune(tmp_path, "--data", str(data), "--target", "Label") == 1
    assert "(did you mean 'label'?)" in capsys.readouterr().err


def test_optional_doctor_command_is_wired_when_present(monkeypatch, capsys):
    calls = []

    def add_parser(subparsers):
        parser = subparsers.add_parser("doctor", help="diagnose training")
        parser.add_argument("--model")

    fake = types.ModuleType("gradwise.doctor.cli")
    fake.add_parser = add_parser
    fake.run = lambda args: calls.append(args.model) or 0
    monkeypatch.setitem(sys.modules, "gradwise.doctor.cli", fake)
    assert main(["doctor", "--model", "m.gw"]) == 0 and calls == ["m.gw"]
    assert "doctor" in (main(["--help"]), capsys.readouterr().out)[1]


def test_python_dash_m_gradwise_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "gradwise", "predict", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--output FILE" in result.stdout


def test_python_dash_m_gradwise_tunes_with_worker_processes(tmp_path):
    # Worker processes are spawned: they import gradwise.__main__, which must not run the command again.
    command = [sys.executable, "-m", "gradwise", "tune", "--dataset", "pima", "--workers", "2", "--name", "pair",
               "--runs-dir", str(tmp_path), "--trials", "4", "--epochs", "2", "--time-budget", "900"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sum(line.startswith("Trial ") for line in result.stdout.splitlines()) == 4
    trials = _read_csv(tmp_path / "pair" / "trials.csv")
    assert len(trials) == 4 and {row["state"] for row in trials} <= {"COMPLETE", "PRUNED"}
