"""A tuned model file predicts from raw rows the same way in Python (load_model) and through `gradwise predict`."""

import csv
import json

import numpy as np
import pandas as pd
import pytest

import gradwise
from gradwise.cli import main
from gradwise.tabular import TabularModel, read_csv
from gradwise.tabular.messy import write_customer_csv

FAST = ["--trials", "3", "--epochs", "4", "--patience", "2", "--time-budget", "900", "--no-baselines"]


@pytest.fixture(scope="module")
def customers(tmp_path_factory):
    """A tuned model of the messy customer table (IDs, a constant, free text, gaps, rare categories)."""
    folder = tmp_path_factory.mktemp("customers")
    data = write_customer_csv(folder / "customers.csv", rows=300, seed=3)
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(folder / "runs"), *FAST]) == 0
    return folder, data, folder / "runs" / "customers" / "best.gw"


def _rows(data, count=40, **changes):
    table = read_csv(data)
    frame = pd.DataFrame({name: table[name][-count:] for name in table.names})
    for name, values in changes.items():
        frame[name] = values
    return frame


def _cli_predictions(model_path, frame, path, *flags):
    frame.to_csv(path, index=False)
    output = path.with_suffix(".out.csv")
    assert main(["predict", "--model", str(model_path), "--data", str(path), "--output", str(output), *flags]) == 0
    with open(output, newline="") as handle:
        return list(csv.DictReader(handle))


def test_load_model_returns_the_pipeline_and_matches_predict_on_raw_rows_with_gaps(customers, tmp_path, capsys):
    folder, data, model_path = customers
    model = gradwise.load_model(model_path)
    assert isinstance(model, TabularModel) and model.classes == ["no", "yes"]
    frame = _rows(data)
    assert frame["age"].eq("").any() or frame["income"].isin(["NA", ""]).any()  # gaps reach predict
    rows = _cli_predictions(model_path, frame, tmp_path / "rows.csv")
    probabilities = model.predict(frame)
    np.testing.assert_allclose([[float(r["probability_no"]), float(r["probability_yes"])] for r in rows],
                               probabilities, atol=1e-6)
    assert [r["prediction"] for r in rows] == list(model.predict_labels(frame))
    as_dict = {name: frame[name].tolist() for name in frame.columns}
    np.testing.assert_allclose(model.predict(as_dict), probabilities, atol=1e-12)
    reloaded = TabularModel(model.preprocessing, model.networks, model.weights)
    np.testing.assert_allclose(reloaded.predict(frame.drop(columns=["churned"])), probabilities, atol=1e-12)


def test_identifier_and_constant_columns_are_dropped_and_do_not_matter(customers, tmp_path, capsys):
    folder, data, model_path = customers
    summary = json.loads((folder / "runs" / "customers" / "summary.json").read_text())
    assert {d["name"] for d in summary["columns"]["dropped"]} == {"customer_id", "account", "country", "note"}
    model = gradwise.load_model(model_path)
    frame = _rows(data)
    replaced = _rows(data, customer_id=np.arange(40) * 7 + 3, account=[f"X{i}" for i in range(40)],
                     country="DE", note="something else")
    np.testing.assert_array_equal(model.predict(replaced), model.predict(frame))
    np.testing.assert_array_equal(model.predict(frame.drop(columns=["customer_id", "account"])), model.predict(frame))


def test_predictions_carry_the_identifier_columns_beside_the_line(customers, tmp_path, capsys):
    folder, data, model_path = customers
    frame = _rows(data, count=5)
    rows = _cli_predictions(model_path, frame, tmp_path / "ids.csv")
    # the identifiers as tune named them (a unique note too), not the constant column
    assert list(rows[0])[:5] == ["line", "customer_id", "account", "note", "prediction"]
    assert [r["customer_id"] for r in rows] == [str(v) for v in frame["customer_id"]]
    assert [r["account"] for r in rows] == [str(v) for v in frame["account"]]
    without = _cli_predictions(model_path, frame.drop(columns=["account"]), tmp_path / "some.csv")
    assert list(without[0])[:4] == ["line", "customer_id", "note", "prediction"]


def test_summary_shows_the_preprocessing(customers, capsys):
    gradwise.load_model(customers[2]).summary()
    out = capsys.readouterr().out
    assert "dropped 'customer_id': holds a different whole number on every row" in out
    assert "'age': standardize (mean" in out and "missing ->" in out and "marked in 'age=(missing)'" in out
    plan = next(e for e in gradwise.load_model(customers[2]).preprocessor.config["categorical"] if e["name"] == "plan")
    assert plan["categories"] == ["basic", "legacy", "plus", "pro", "trial"]  # 'legacy', 'trial': a few rows each
    assert "'plan': one-hot 5 categories, missing ->" in out
    region = next(e for e in gradwise.load_model(customers[2]).preprocessor.config["categorical"] if e["name"] == "region")
    assert f"'region': one-hot {len(region['categories'])} categories" in out
    assert "Target: classes ['no', 'yes']" in out and "Dense" in out


def test_unseen_categories_are_reported_on_stderr_and_strict_refuses_them(customers, tmp_path, capsys):
    _, data, model_path = customers
    frame = _rows(data)
    frame.loc[frame.index[[3, 5, 9]], "region"] = "atlantis"
    capsys.readouterr()
    _cli_predictions(model_path, frame, tmp_path / "unseen.csv")
    error = capsys.readouterr().err
    assert "column 'region': 3 row(s) of" in error and "['atlantis']" in error and "first on line 5" in error
    frame.to_csv(tmp_path / "unseen.csv", index=False)
    assert main(["predict", "--model", str(model_path), "--data", str(tmp_path / "unseen.csv"), "--strict"]) == 1
    assert "Column 'region' has categories not seen in training ['atlantis'] on 3 row(s)" in capsys.readouterr().err
    lines = []
    gradwise.load_model(model_path).predict(frame, report=lines.append)  # Python: the same report
    assert len(lines) == 1 and "column 'region': 3 row(s)" in lines[0]


def test_raw_and_transformed_rows_are_told_apart(customers):
    model = gradwise.load_model(customers[2])
    frame = _rows(customers[1])
    transformed = model.transform(frame)
    with pytest.raises(ValueError, match=r"must have shape \(rows, 9\).*width of the model's internal inputs"):
        model.predict(transformed)
    network = model.networks[0]
    with pytest.raises(TypeError, match="must hold numbers"):
        network.predict(frame.to_numpy())  # raw rows with text to a network without preprocessing
    with pytest.raises(TypeError, match="must be a pandas DataFrame, a dict of columns"):
        model.predict("rows.csv")


def test_numeric_arrays_of_the_original_columns_and_standardized_ones(tmp_path):
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True).frame
    wine.to_csv(tmp_path / "wine.csv", index=False)
    assert main(["tune", "--data", str(tmp_path / "wine.csv"), "--target", "target", "--runs-dir",
                 str(tmp_path / "runs"), *FAST]) == 0
    model = gradwise.load_model(tmp_path / "runs" / "wine" / "best.gw")
    features = wine.drop(columns=["target"])
    np.testing.assert_allclose(model.predict(features.to_numpy()), model.predict(features), atol=1e-12)
    assert np.mean(model.predict_labels(features).astype(int) == wine["target"]) > 0.8
    with pytest.raises(ValueError, match="look like already-standardized features"):
        model.predict(model.transform(features))


def test_missing_values_without_imputation_name_the_column_and_line(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "c.csv", rows=120, seed=1)
    table = read_csv(data)
    complete = [i for i in range(table.rows) if all(not table.missing_mask(n)[i] for n in table.names)]
    frame = pd.DataFrame({name: table[name][complete] for name in table.names})
    frame.to_csv(tmp_path / "complete.csv", index=False)
    assert main(["tune", "--data", str(tmp_path / "complete.csv"), "--target", "churned", "--impute", "none",
                 "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    frame.loc[frame.index[2], "age"] = ""
    frame.to_csv(tmp_path / "gap.csv", index=False)
    capsys.readouterr()
    assert main(["predict", "--model", str(tmp_path / "runs" / "complete" / "best.gw"), "--data",
                 str(tmp_path / "gap.csv")]) == 1
    error = capsys.readouterr().err
    assert "1 missing value(s) in column 'age', first on line 4" in error and "without imputation" in error
    assert "--impute" not in error  # predict has no such flag


def test_pandas_missing_values_are_gaps_like_empty_cells(customers):
    model = gradwise.load_model(customers[2])
    frame = _rows(customers[1], count=10)
    frame.loc[frame.index[1], "region"] = ""
    frame.loc[frame.index[2], "age"] = ""
    typed = frame.copy()
    typed["region"] = typed["region"].replace("", pd.NA).astype("string")
    typed["age"] = pd.to_numeric(typed["age"].replace("", None)).astype("Float64")
    np.testing.assert_allclose(model.predict(typed), model.predict(frame), atol=1e-12)


def test_a_best_gw_of_the_previous_layout_loads_as_a_tabular_model(customers, tmp_path):
    from gradwise.saving import atomic_write, save_model_to_bytes
    from gradwise.saving.format import read_archive, write_archive

    model = gradwise.load_model(customers[2])
    _, meta, arrays = read_archive(save_model_to_bytes(model.networks[0]))
    meta = {k: v for k, v in meta.items() if k not in ("format", "format_version")}
    config = {k: v for k, v in model.preprocessing["features"].items() if k not in ("columns", "dropped")}
    meta["preprocessing"] = {**model.preprocessing, "features": config}  # gradwise 0.1: one network, no screening
    atomic_write(str(tmp_path / "old.gw"), lambda handle: write_archive(handle, meta, arrays))
    old = gradwise.load_model(tmp_path / "old.gw")
    assert isinstance(old, TabularModel)
    frame = _rows(customers[1]).drop(columns=["customer_id", "account", "country", "note"])
    np.testing.assert_allclose(old.predict(frame), TabularModel(model.preprocessing, model.networks[:1]).predict(frame),
                               atol=1e-12)


def test_dates_amounts_percents_and_booleans_of_a_spreadsheet_export_are_used_and_replayed(tmp_path, capsys):
    from gradwise.tabular.messy import write_order_csv

    data = write_order_csv(tmp_path / "orders.csv", rows=400, seed=5)
    assert main(["tune", "--data", str(data), "--target", "returned", "--runs-dir", str(tmp_path / "runs"),
                 *FAST]) == 0
    out = capsys.readouterr().out
    assert "Column 'order_date': dates (ISO 8601), used as days since 1970-01-01 (a trend) and one-hot month, " \
           "weekday" in out
    assert "Column 'amount': numbers written with currency" in out and "Column 'discount': numbers" in out
    assert "Dropped column" not in out  # none of them is free text or an identifier any more
    model_path = tmp_path / "runs" / "orders" / "best.gw"
    model = gradwise.load_model(model_path)
    assert "order_date.weekday=Sat" in model.preprocessor.output_names
    # pandas reads the same file with parsed dates and bools; the CLI reads its text: the same predictions
    frame = pd.read_csv(data, parse_dates=["order_date"]).drop(columns=["returned"]).tail(60)
    assert frame["member"].dtype == bool and frame["order_date"].dtype.kind == "M"
    rows = _cli_predictions(model_path, pd.read_csv(data, dtype=str).drop(columns=["returned"]).tail(60),
                            tmp_path / "new.csv")
    capsys.readouterr()
    lines = []
    probabilities = model.predict(frame, report=lines.append)
    assert not lines  # TRUE/FALSE read by pandas as bools are the training's categories, not unseen ones
    np.testing.assert_allclose([[float(r["probability_no"]), float(r["probability_yes"])] for r in rows],
                               probabilities, atol=1e-6)


def test_a_model_that_encodes_its_numbers_carries_the_encoding_and_predicts_alike(tmp_path, capsys):
    from gradwise.layers import PiecewiseLinearEncoding

    rng = np.random.default_rng(4)
    dose, noise = rng.uniform(-3, 3, size=400), rng.normal(size=400)
    colour = rng.choice(["red", "blue"], size=400)
    reacts = np.where(np.abs(dose) > 1.2, "yes", "no")  # a band of the dose: no line separates it, bins do
    data = tmp_path / "band.csv"
    pd.DataFrame({"dose": dose.round(3), "noise": noise.round(3), "colour": colour, "reacts": reacts}).to_csv(
        data, index=False)
    assert main(["tune", "--data", str(data), "--target", "reacts", "--runs-dir", str(tmp_path / "runs"),
                 "--trials", "2", "--time-budget", "900", "--no-baselines"]) == 0  # the plain, then the additive model
    run = tmp_path / "runs" / "band"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["ensemble"]["trials"] == [1] and summary["test"]["accuracy"] > 0.95
    model = gradwise.load_model(run / "best.gw")
    encoding = model.networks[0].layers[0]
    assert isinstance(encoding, PiecewiseLinearEncoding) and encoding.columns == [0, 1]  # dose and noise
    frame = pd.read_csv(data).tail(50)
    rows = _cli_predictions(run / "best.gw", frame, tmp_path / "rows.csv")
    np.testing.assert_allclose([float(r["probability_yes"]) for r in rows], model.predict(frame)[:, 1], atol=1e-6)
