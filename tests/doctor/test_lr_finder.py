"""The learning-rate range test: the sweep, the suggestion rules, the copy, the figure, `--find-lr`."""

import math

import numpy as np
import pytest

import gradwise as gw
from gradwise.doctor import find_learning_rate
from gradwise.doctor.lr_finder import DIVERGENCE, SKIP_START, smooth, suggest


def _model(learning_rate=1e-3):
    model = gw.Sequential([gw.Input((4,)), gw.Dense(16, activation="relu"), gw.Dense(3, activation="softmax")],
                          seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=learning_rate), "sparse_categorical_crossentropy")
    return model


def _blobs(n=300):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, n)
    return (rng.normal(size=(n, 4)) + 2.0 * np.eye(3, 4)[y]).astype(np.float32), y


def test_sweep_runs_on_a_copy_and_suggests_a_rate_inside_the_range():
    model = _model()
    x, y = _blobs()
    before = [weights.copy() for weights in model.get_weights()]
    result = find_learning_rate(model, x, y, start_lr=1e-5, end_lr=10.0, steps=60)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # the model is untouched
    assert model.optimizer.learning_rate == 1e-3
    assert len(result.learning_rates) == len(result.losses) == len(result.smoothed) <= 60
    assert np.all(np.diff(np.log(result.learning_rates)) > 0)
    assert 1e-5 < result.suggestion < 10.0 and result.optimizer == "SGD"
    assert result.learning_rates[np.argmin(result.smoothed[SKIP_START:-1]) + SKIP_START] == pytest.approx(
        10 * result.suggestion)


def test_sweep_stops_when_the_loss_diverges():
    result = find_learning_rate(_model(), *_blobs(), start_lr=1e-3, end_lr=1e4, steps=80)
    assert result.diverged and len(result.losses) < 80
    last = result.smoothed[-1]
    assert not math.isfinite(last) or last > DIVERGENCE * np.nanmin(result.smoothed[:-1])


def test_suggestion_rules_on_a_known_curve():
    rates = np.logspace(-6, 1, 50)
    curve = 1.0 / (1.0 + np.exp(-(np.log10(rates) + 2.5) * 3))  # falls fastest at 10^-2.5 ... reversed
    curve = 2.0 - curve + np.where(rates > 1e-1, (np.log10(rates) + 1) ** 2, 0.0)
    steepest = suggest(rates, curve, "steepest")
    assert 10 ** -3 < steepest < 10 ** -2
    assert suggest(rates, curve, "minimum") == pytest.approx(rates[np.argmin(curve[SKIP_START:-1]) + SKIP_START] / 10)
    assert suggest(rates[:2], curve[:2]) is None


def test_smoothing_is_bias_corrected():
    assert smooth([2.0, 2.0, 2.0]) == pytest.approx([2.0, 2.0, 2.0])


def test_figure_and_dict():
    result = find_learning_rate(_model(), *_blobs(), steps=30)
    figure = result.figure()
    assert figure.axes[0].get_xscale() == "log"
    data = result.to_dict()
    assert data["suggestion"] == result.suggestion and len(data["losses"]) == len(result.losses)


@pytest.mark.parametrize("kwargs, message", [
    ({"start_lr": 0.0}, "`start_lr` must be a positive float"),
    ({"start_lr": 1.0, "end_lr": 0.5}, "`end_lr` must be larger"),
    ({"steps": 5}, "`steps` must be at least"),
    ({"rule": "valley"}, "`rule` must be one of"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        find_learning_rate(_model(), *_blobs(), **kwargs)


def test_uncompiled_model_is_refused():
    model = gw.Sequential([gw.Input((4,)), gw.Dense(3)])
    with pytest.raises(ValueError, match="compiled"):
        find_learning_rate(model, *_blobs())


def test_doctor_sizes_a_learning_rate_remedy_with_the_range_test():
    from gradwise.doctor import diagnose

    x, y = _blobs(400)
    report = diagnose(_model(learning_rate=1e-6), x, y, epochs=6)
    finding = next(item for item in report.findings if item.code == "LR_TOO_LOW")
    found = report.trace.setup["lr_finder"]
    assert finding.remedies[0].params["learning_rate"] == pytest.approx(found["suggestion"])
    assert "range test" in finding.remedies[0].description


def test_cli_find_lr(tmp_path):
    import argparse
    import io
    import json

    from gradwise.doctor import cli

    model = _model()
    model.save(tmp_path / "m.gw")
    x, y = _blobs(200)
    rows = ["a,b,c,d,y"] + [",".join(f"{value:.4f}" for value in row) + f",{label}" for row, label in zip(x, y)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    parser = argparse.ArgumentParser(prog="gradwise")
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", "--model", str(tmp_path / "m.gw"), "--data", str(tmp_path / "d.csv"),
                              "--target", "y", "--find-lr", "--json", str(tmp_path / "lr.json"),
                              "--figure", str(tmp_path / "lr.png")])
    out, err = io.StringIO(), io.StringIO()
    assert args.handler(args, stdout=out, stderr=err) == 0 and err.getvalue() == ""
    assert "Suggested learning rate (minimum rule)" in out.getvalue()
    assert json.loads((tmp_path / "lr.json").read_text())["suggestion"] > 0
    assert (tmp_path / "lr.png").stat().st_size > 0
