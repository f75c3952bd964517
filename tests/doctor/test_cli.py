"""`gradwise doctor` in-process: a saved model and a CSV file."""

import argparse
import io
import json
from pathlib import Path

import pytest

import gradwise as gw
from gradwise.doctor import cli

PIMA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "pima" / "diabetes.csv"


def _run(*argv):
    parser = argparse.ArgumentParser(prog="gradwise")
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", *argv])
    out, err = io.StringIO(), io.StringIO()
    return args.handler(args, stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.fixture
def pima_model(tmp_path):
    model = gw.Sequential([gw.Input((8,)), gw.Dense(12, activation="relu"), gw.Dense(8, activation="relu"),
                           gw.Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "pima.gw"
    model.save(path)
    return path


def test_raw_pima_is_diagnosed_and_repaired(pima_model, tmp_path):
    status, out, err = _run("--model", str(pima_model), "--data", str(PIMA), "--target", "Outcome", "--epochs", "5",
                            "--repair", "--json", str(tmp_path / "report.json"), "--save-repaired",
                            str(tmp_path / "repaired.gw"))
    assert status == 1 and err == ""
    assert "UNNORMALIZED_INPUT" in out and "Insulin" in out  # the feature names come from the header
    assert "Repairs applied" in out and "standardized" in out
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["root_cause"] == "UNNORMALIZED_INPUT" and data["after"]["codes"] == []
    repaired = gw.models.load_model(tmp_path / "repaired.gw")
    assert repaired.layers[0].get_weights()[0].shape == (8, 12)


def test_missing_target_column(pima_model):
    status, _, err = _run("--model", str(pima_model), "--data", str(PIMA), "--target", "outcome")
    assert status == 2 and "no column named 'outcome'" in err and "Outcome" in err


def test_non_numeric_cell(pima_model, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("a,b,y\n1,2,0\n3,x,1\n")
    status, _, err = _run("--model", str(pima_model), "--data", str(data), "--target", "y")
    assert status == 2 and "line 3, column 'b': 'x' is not a number" in err


def test_unreadable_model(tmp_path):
    path = tmp_path / "model.gw"
    path.write_text("not a model")
    status, _, err = _run("--model", str(path), "--data", str(PIMA), "--target", "Outcome")
    assert status == 2 and str(path) in err


def test_read_csv_keeps_feature_names_and_empty_cells(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("f1,target,f2\n1,0,\n2,1,5\n")
    x, y, names = cli.read_csv(data, "target")
    assert names == ["f1", "f2"] and y.tolist() == [0.0, 1.0]
    assert x[0, 0] == 1.0 and x[0, 1] != x[0, 1]  # NaN


def test_read_csv_reads_semicolon_files_with_decimal_commas(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("f1;target\n1,5;0\n-2,25;1\n")
    x, y, names = cli.read_csv(data, "target")
    assert names == ["f1"] and x[:, 0].tolist() == [1.5, -2.25] and y.tolist() == [0.0, 1.0]
