"""Subclassing snippets in the style of the Keras guides "Making new layers and models via
subclassing" and "Customizing what happens in fit", changed only in their imports (and made smaller
or given synthetic data, lines marked ``# corpus:``), each run as a script in a fresh working
directory: they must build, train and predict as Keras would."""

from pathlib import Path

import pytest

from .guide_runner import run_snippet_and_check

SNIPPETS = Path(__file__).parent / "subclassing_snippets"

# What each snippet must have produced: expressions over the script's variables.
EXPECTATIONS = {
    "multi_io_subclassed.py": ["sorted(predictions) == ['department', 'priority']",
                               "predictions['department'].shape == (5, 4)",
                               "list(history.history)[:3] == ['loss', 'priority_loss', 'department_loss']",
                               "history.history['loss'][-1] < history.history['loss'][0]"],
    "mlp_block.py": ["y.shape == (3, 1)", "block_model.layers == [block_model.block]", "len(block_model.get_weights()) == 6",
                     "history.history['loss'][-1] < 0.5 * history.history['loss'][0]",
                     "predictions.shape == (5, 1)", "block_model.count_params() == 64 * 32 + 32 + 32 * 32 + 32 + 33"],
    "subclassed_mlp.py": ["test_scores[1] > 0.5",  # chance is 0.1
                          "predictions.shape == (100, 10)", "len(history.history['val_loss']) == 3",
                          "model.count_params() == 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10"],
    "residual_block.py": ["history.history['accuracy'][-1] > 0.9", "predictions.shape == (10, 3)",
                          "model.layers == [model.stem, *model.blocks, model.head]",
                          "model.blocks[0].norm.state['moving_mean'].any()"],  # BatchNormalization trained
    "dropout_training.py": ["history.history['accuracy'][-1] > 0.75", "predictions.shape == (8, 1)",
                            "np.array_equal(predictions, model.predict(x_train[:8]))",  # reloaded weights
                            "np.array_equal(inference, model(x_train[:8]))",  # no dropout at inference
                            "not np.array_equal(training_mode, inference)"],
    "autoencoder.py": ["history.history['loss'][-1] < history.history['loss'][0]",
                       "reconstructions.shape == (16, 784)",
                       "class_history.history['accuracy'][-1] > 0.8", "class_predictions.shape == (16, 10)",
                       "classifier.layers[0] is ae.encoder",  # the trained encoder, shared
                       "len(classifier.get_weights()) == 4 + 2"],
    "model_in_model.py": ["unchanged",  # frozen: the extractor's weights did not move
                          "history.history['accuracy'][-1] > 0.7", "predictions.shape == (10, 4)"],
}


def test_every_snippet_has_expectations():
    assert sorted(path.name for path in SNIPPETS.glob("*.py")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_snippet_trains_and_predicts(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_snippet_and_check(SNIPPETS / name, EXPECTATIONS[name])
