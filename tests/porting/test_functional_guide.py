"""Functional-API snippets in the style of the Keras guide, changed only in their imports (and made
smaller or given synthetic data, lines marked ``# corpus:``), each run as a script in a fresh
working directory: they must build, train, save or predict as Keras would."""

import runpy
from pathlib import Path

import numpy as np
import pytest

SNIPPETS = Path(__file__).parent / "functional_snippets"

# What each snippet must have produced: expressions over the script's variables.
EXPECTATIONS = {
    "mnist_model.py": ["test_scores[1] > 0.5",  # chance is 0.1
                       "reloaded_scores == test_scores",  # the reloaded model is the same model
                       "predictions.shape == (100, 10)", "len(history.history['val_loss']) == 2"],
    "toy_resnet.py": ["model.count_params() == 223242",  # the guide's summary: 223,242 parameters
                      "predictions.shape == (8, 10)", "np.isfinite(history.history['loss']).all()"],
    "shared_layers.py": ["model.parameter_set.names.count('shared_encoder/kernel') == 1",
                         "history.history['accuracy'][-1] > 0.8", "predictions.shape == (10, 1)"],
}


def test_every_snippet_has_expectations():
    assert sorted(path.name for path in SNIPPETS.glob("*.py")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_snippet_trains_and_predicts(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scope = runpy.run_path(str(SNIPPETS / name), run_name="__main__")
    for expression in EXPECTATIONS[name]:
        assert eval(expression, {"np": np}, dict(scope)), expression  # noqa: S307 - our own expressions
