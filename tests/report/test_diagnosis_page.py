"""`gradwise doctor ... --report PATH`: the diagnosis page with the learning-rate finder's curve, in Chromium."""

import re

import numpy as np

import gradwise as gw
from gradwise.cli import main
from gradwise.layers import Dense, Input

from .checks import check_page


def _files(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4)) * [1, 1, 200, 1] + [0, 0, 500, 0]  # one unscaled column
    y = (x[:, 0] - x[:, 1] > 0).astype(int)
    data = tmp_path / "data.csv"
    np.savetxt(data, np.column_stack([x, y]), delimiter=",", header="a,b,c,d,label", comments="", fmt="%.6g")
    model = gw.Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.save(str(tmp_path / "model.gw"))
    return ["--model", str(tmp_path / "model.gw"), "--data", str(data), "--target", "label", "--epochs", "3"]


def test_doctor_report_shows_the_findings_and_the_learning_rate_curve(tmp_path, browser, capsys):
    args = _files(tmp_path)
    assert main(["doctor", *args, "--find-lr"]) in (0, 1)
    suggested = re.search(r"Suggested learning rate \(minimum rule\): (\S+)", capsys.readouterr().out).group(1)
    page = tmp_path / "diagnosis.html"
    assert main(["doctor", *args, "--report", str(page)]) in (0, 1)
    out = capsys.readouterr().out
    assert f"Wrote {page}" in out
    codes = re.findall(r"\[(?:INFO|WARNING|ERROR|CRITICAL)\] (\w+)", out)
    assert "UNNORMALIZED_INPUT" in codes
    rendered = browser.render(str(page), pdf=True)
    check_page(page, rendered, [f"suggested learning rate\t{suggested}", "Learning-rate range test", *codes,
                                "Gradient norm (kernel)", "Probe training"])
    assert re.search(r"<svg[^>]*aria-label=\"Learning-rate range test: loss against the learning rate",
                     page.read_text())


def test_doctor_find_lr_report_alone(tmp_path, browser):
    page = tmp_path / "lr.html"
    assert main(["doctor", *_files(tmp_path), "--find-lr", "--report", str(page)]) in (0, 1)
    rendered = browser.render(str(page))
    assert "suggested learning rate" in rendered.text and "Doctor's findings" not in rendered.text
    assert rendered.errors() == [] and rendered.ink() > 0.005  # one chart on a tall window: not blank
