"""`gradwise doctor` on a model written by `gradwise tune`: its preprocessing applies, a repair keeps it."""

import argparse
import io
import json

import numpy as np
import pytest

import gradwise
from gradwise.cli import main
from gradwise.doctor import cli
from gradwise.tabular import TabularModel, read_csv
from gradwise.tabular.messy import write_customer_csv


def _doctor(*argv):
    parser = argparse.ArgumentParser(prog="gradwise")
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", *argv])
    out, err = io.StringIO(), io.StringIO()
    return args.handler(args, stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tuned")
    data = write_customer_csv(folder / "customers.csv", rows=300, seed=4)  # text columns, gaps, IDs
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(folder / "runs"),
                 "--trials", "2", "--epochs", "4", "--patience", "2", "--time-budget", "900", "--no-baselines"]) == 0
    return folder, data, folder / "runs" / "customers" / "best.gw"


def test_doctor_applies_the_stored_preprocessing_and_finds_no_scaling_problem(tuned):
    folder, data, model = tuned
    status, out, err = _doctor("--model", str(model), "--data", str(data), "--target", "churned", "--epochs", "4",
                               "--json", str(folder / "report.json"))
    assert err.startswith("gradwise doctor: the tuned model's network trained afresh") and err.count("\n") == 1
    assert status in (0, 1)
    codes = [finding["code"] for finding in json.loads((folder / "report.json").read_text())["findings"]]
    assert "UNNORMALIZED_INPUT" not in codes and "UNNORMALIZED_INPUT" not in out
    assert not any(code.startswith("EXPLODING") for code in codes)


def test_the_tuned_model_keeps_how_it_was_trained_and_the_doctor_trains_it_so(tuned, monkeypatch):
    import importlib

    module = importlib.import_module("gradwise.doctor.diagnose")  # (the package exports the function by that name)

    folder, data, model_path = tuned
    assert gradwise.load_model(model_path).preprocessing["training"] == {"epochs": 4, "batch_size": 32, "patience": 2}
    probes = []
    run = module.diagnose

    def watched(*args, **kwargs):
        probes.append(kwargs)
        return run(*args, **kwargs)

    monkeypatch.setattr(module, "diagnose", watched)
    status, out, err = _doctor("--model", str(model_path), "--data", str(data), "--target", "churned")
    assert status in (0, 1)
    assert "trained afresh as `gradwise tune` trained it: batches of 32, at most 4 epochs, stopping after 2" in err
    assert {key: probes[-1][key] for key in ("epochs", "batch_size", "from_scratch", "patience")} == {
        "epochs": 4, "batch_size": 32, "from_scratch": True, "patience": 2}
    status, out, err = _doctor("--model", str(model_path), "--data", str(data), "--target", "churned", "--epochs",
                               "3", "--batch-size", "16")
    assert "batches of 16, at most 3 epochs" in err
    assert (probes[-1]["epochs"], probes[-1]["batch_size"]) == (3, 16)
    # a file written before the recipe was stored: the search's defaults (batch 32 below 2,000 rows)
    model = gradwise.load_model(model_path)
    del model.preprocessing["training"]
    model.save(folder / "older.gw")
    status, out, err = _doctor("--model", str(folder / "older.gw"), "--data", str(data), "--target", "churned",
                               "--epochs", "2")
    assert "batches of 32, at most 2 epochs, stopping after 10" in err
    status, out, err = _doctor("--model", str(model_path), "--data", str(data), "--target", "churned", "--epochs", "0")
    assert status == 2 and "`epochs` must be a positive int, got 0" in err


def test_doctor_leaves_out_rows_without_a_target_as_tune_does(tuned):
    folder, data, model = tuned
    lines = data.read_text().splitlines()
    column = lines[0].split(",").index("churned")
    blanked = [line.split(",") for line in lines]
    for row in (3, 10, 11):  # file lines 4, 11 and 12
        blanked[row][column] = ""
    gappy = folder / "gappy.csv"
    gappy.write_text("\n".join(",".join(cells) for cells in blanked) + "\n")
    status, out, err = _doctor("--model", str(model), "--data", str(gappy), "--target", "churned", "--epochs", "2")
    assert status in (0, 1), err
    assert f"3 row(s) of {gappy} without a 'churned' left out (the first on line 4)" in err
    assert "gradwise doctor" in out


def test_a_repaired_tuned_model_still_predicts_from_raw_rows(tuned):
    folder, data, model_path = tuned
    status, out, err = _doctor("--model", str(model_path), "--data", str(data), "--target", "churned", "--epochs",
                               "3", "--repair", "--save-repaired", str(folder / "repaired.gw"))
    assert status in (0, 1)
    # What --save-repaired writes for a tuned model, whether or not this probe found something to repair:
    model = gradwise.load_model(model_path)
    repaired_network = gradwise.saving.clone_model(model.networks[0])
    repaired_network.fit(model.transform(read_csv(data)), np.zeros(300, dtype=np.float32), epochs=1, verbose=0)
    cli._save_repaired(model, repaired_network, folder / "repaired.gw")
    loaded = gradwise.load_model(folder / "repaired.gw")
    assert isinstance(loaded, TabularModel) and loaded.preprocessing == model.preprocessing
    assert main(["predict", "--model", str(folder / "repaired.gw"), "--data", str(data), "--output",
                 str(folder / "p.csv")]) == 0
    frame = read_csv(data)
    np.testing.assert_allclose(loaded.predict(frame)[:, 1], repaired_network.predict(model.transform(frame)).ravel(),
                               rtol=1e-6)


def test_plain_model_csv_gaps_are_imputed_with_impute(tmp_path):
    data = tmp_path / "gaps.csv"
    rng = np.random.default_rng(0)
    cells = [("" if i % 10 == 0 else f"{rng.normal():.3f}", f"{rng.normal():.3f}", str(i % 2)) for i in range(80)]
    data.write_text("a,b,y\n" + "".join(",".join(row) + "\n" for row in cells))
    model = gradwise.Sequential([gradwise.Input((2,)), gradwise.Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy")
    model.save(tmp_path / "plain.gw")
    status, out, err = _doctor("--model", str(tmp_path / "plain.gw"), "--data", str(data), "--target", "y",
                               "--epochs", "2", "--impute", "median")
    assert status in (0, 1) and err == ""
    assert read_csv(data).missing_mask("a").sum() == 8
