"""Doctor(repair=True)'s live repairs: the next remedy when a finding persists, never a model worse than the original."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.doctor.detectors import run_detectors
from gradwise.doctor.live_repair import RECHECK, LiveRepairer
from gradwise.doctor.report import Report

from .traces import add_epoch, mlp, new_trace

PRIOR = {"task": "multiclass", "prior_loss": 1.1, "majority": 0.34, "classes": 3, "format": "sparse"}


def _model():
    model = gw.Sequential([gw.Input((4,)), gw.Dense(8, activation="relu"), gw.Dense(3, activation="softmax")], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=5.0), "sparse_categorical_crossentropy")
    return model


def _too_high(epochs):
    """A trace showing LR_TOO_HIGH in every epoch: steps of 25% of the weights and a loss 5x its start."""
    trace = new_trace(mlp(("relu", "relu")), labels=PRIOR, epochs=10,
                      optimizer={"class": "SGD", "learning_rate": 5.0})
    names = [info["name"] for info in trace.layers]
    for epoch in range(epochs):
        loss = 1.0 if epoch == 0 else 5.0
        add_epoch(trace, {"loss": loss, "val_loss": loss}, samples={name: {"update_ratio": 0.25} for name in names},
                  loss=loss)
    return trace


def test_a_persisting_finding_gets_its_next_live_remedy():
    model = _model()
    repairer = LiveRepairer(model, lambda message: None)
    trace = _too_high(2)
    repairer.treat(Report(run_detectors(trace), trace), 1)
    assert [entry["action"] for entry in repairer.log] == ["lower_learning_rate"]
    for epoch in range(2, RECHECK + 1):
        trace = _too_high(epoch + 1)
        repairer.treat(Report(run_detectors(trace), trace), epoch)
    assert len(repairer.log) == 1  # not judged before RECHECK epochs have passed
    trace = _too_high(RECHECK + 2)
    repairer.treat(Report(run_detectors(trace), trace), RECHECK + 1)
    assert [entry["action"] for entry in repairer.log] == ["lower_learning_rate", "clipnorm"]
    assert repairer.log[1]["next_remedy"] and model.optimizer.clipnorm == 1.0


def test_the_original_is_put_back_when_the_repaired_run_ends_worse():
    model = _model()
    original = [weights.copy() for weights in model.get_weights()]
    lines = []
    repairer = LiveRepairer(model, lines.append)
    repairer.remember(1, {"val_loss": 0.50})
    trace = _too_high(2)
    repairer.treat(Report(run_detectors(trace), trace), 1)
    assert model.optimizer.learning_rate == pytest.approx(0.5)
    model.set_weights([weights + 1.0 for weights in model.get_weights()])  # what the repaired epochs did
    repairer.remember(5, {"val_loss": 0.52})  # 4% worse
    repairer.finish()
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), original))
    assert model.optimizer.learning_rate == 5.0 and repairer.kept_original["kept"]
    assert "put back" in lines[-1]


def test_a_repaired_run_within_the_margin_is_kept():
    model = _model()
    repairer = LiveRepairer(model, lambda message: None)
    repairer.remember(1, {"val_loss": 0.50})
    trace = _too_high(2)
    repairer.treat(Report(run_detectors(trace), trace), 1)
    repairer.remember(5, {"val_loss": 0.505})  # 1% worse: within the 2% margin
    repairer.finish()
    assert model.optimizer.learning_rate == pytest.approx(0.5) and not repairer.kept_original["kept"]
