"""Snippets of Keras's data pipeline and preprocessing guides, changed only in their imports (and made
smaller or given local data, lines marked ``# corpus:``), each run as a script in a fresh working
directory: a PyDataset, a generator with steps_per_epoch, augmentation layers in a convnet,
StringLookup encodings, strings and sequences of any length into a model, and
Normalization.adapt must train and predict as in Keras."""

from pathlib import Path

import numpy as np
import pytest

from ..conftest import SHARED_DATASETS
from .guide_runner import run_snippet_and_check

SNIPPETS = Path(__file__).parent / "data_snippets"

EXPECTATIONS = {
    "pydataset_training.py": ["test_acc > 0.8", "predictions.shape == (500, 10)",
                              "len(history.history['val_loss']) == 3"],
    "generator_steps_per_epoch.py": ["accuracy > 0.68",  # the majority class is 0.65
                                     "len(history.history['val_loss']) == 20", "predictions.shape == (168, 1)"],
    "augmentation_convnet.py": ["accuracy > 0.5",  # chance is 0.1
                                "np.array_equal(predictions, predictions_again)", "predictions.shape == (10, 10)"],
    "string_lookup_encoding.py": ["encoded_data.tolist() == [[0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0], "
                                  "[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]",  # the guide's printed output
                                  "history.history['accuracy'][-1] == 1.0",
                                  "predictions[0, 0] > 0.5 > predictions[1, 0]"],
    "string_input_model.py": ["history.history['accuracy'][-1] == 1.0", "predictions.shape == (3, 1)",
                              "predictions[0, 0] > 0.5 > predictions[1, 0]"],
    "variable_length_sequences.py": ["history.history['accuracy'][-1] > 0.9", "padded.shape[1] == 11",
                                     "predictions_short.shape == predictions_long.shape == (2, 1)",
                                     "predictions_short[0, 0] > 0.5 > predictions_short[1, 0]",
                                     "predictions_long[0, 0] > 0.5 > predictions_long[1, 0]"],
    "normalization_adapt_table.py": ["test_results < 0.8 * np.mean(np.abs(test_labels - train_labels.mean()))",
                                     "predictions.shape == (10, 1)"],
}


def test_every_snippet_has_expectations():
    assert sorted(path.name for path in SNIPPETS.glob("*.py")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_snippet_trains_and_predicts(name, tmp_path, monkeypatch):
    table = np.loadtxt(SHARED_DATASETS / "pima" / "diabetes.csv", delimiter=",", skiprows=1)
    np.savetxt(tmp_path / "pima-indians-diabetes.csv", table, delimiter=",", fmt="%g")
    (tmp_path / "mnist.npz").symlink_to(SHARED_DATASETS / "mnist" / "mnist.npz")
    monkeypatch.chdir(tmp_path)
    source = (SNIPPETS / name).read_text()
    assert "keras" not in {line.split()[1].split(".")[0] for line in source.splitlines()
                           if line.startswith(("import ", "from "))}
    run_snippet_and_check(SNIPPETS / name, EXPECTATIONS[name])
