"""The porting corpus: Keras snippets as the guides write them, changed only in their imports, each training and predicting.

Every file in ``snippets/`` runs as a script in a fresh working directory holding the data
files the guides expect there (``pima-indians-diabetes.csv`` without a header, and the
Keras-format ``mnist.npz`` and ``fashion_mnist.npz`` that ``load_data()`` finds in the
working directory). Besides its imports, a snippet may only be made smaller (epochs, data
slices, folds) or gain a final train-and-predict, each such line marked ``# corpus:``.
The check after each run reads the script's variables: it must have trained and predicted,
and learned something where a guide's result is known.
"""

import ast
import runpy
from pathlib import Path

import numpy as np
import pytest

from ..conftest import SHARED_DATASETS

SNIPPETS = Path(__file__).parent / "snippets"


def _value(scope, path):
    """A variable of the script, or an item of one: 'score[1]', 'results.mean()'."""
    return eval(path, {"np": np}, dict(scope))  # noqa: S307 - our own expressions over the script's variables


# What each snippet must have produced: (expression that must hold, description).
EXPECTATIONS = {
    "pima_first_network.py": [("predictions.shape == (768, 1)", "class predictions"),
                              ("accuracy > 0.6", "training accuracy above chance")],
    "pima_cross_val_score.py": [("results.shape == (3,)", "one score per fold"),
                                ("results.mean() > 0.7", "above the 0.651 majority rate"),
                                ("predictions.shape == (10,)", "predictions")],
    "pima_grid_search.py": [("len(means) == 12", "every grid point scored"),
                            ("grid_result.best_params_['optimizer'] in optimizer", "a best optimizer"),
                            ("predictions.shape == (10,)", "predictions")],
    "mnist_mlp.py": [("score[1] > 0.7", "test accuracy above 0.7 (unseeded: 0.78-0.85 over 12 seeds, chance 0.1)"),
                     ("predicted_digits.shape == (20,)", "predicted digits"),
                     ("len(history.history['val_loss']) == 2", "validation each epoch")],
    "mnist_convnet.py": [("score[1] > 0.4", "test accuracy above 0.4 (chance: 0.1) after 2 short epochs"),
                         ("predictions.shape == (10, 10)", "class probabilities")],
    "fashion_mnist_classification.py": [("test_acc > 0.7", "test accuracy above 0.7"),
                                        ("predictions.shape == (2000, 10)", "logits for every test image")],
    "mnist_normalize.py": [("val_acc > 0.8", "test accuracy above 0.8"),
                           ("predictions.shape == (2000, 10)", "predictions")],
    "custom_metric_function.py": [("len(history.history['mean_pred']) == 10", "the function metric logged"),
                                  ("0 < history.history['mean_pred'][-1] < 1", "a mean probability"),
                                  ("predictions.shape == (10, 1)", "predictions")],
    "classification_metrics.py": [("set(results) == {'loss', 'precision', 'recall', 'f1', 'prc', "
                                   "'precision_at_recall'}", "every metric evaluated"),
                                  ("results['prc'] > 0.6", "PR-AUC above the 0.35 positive rate"),
                                  ("predictions.shape == (768, 1)", "predictions")],
    "digits_top_k.py": [("top3 >= accuracy > 0.85", "top-3 accuracy at least the accuracy"),
                        ("probabilities.shape == (360, 10)", "probabilities")],
    "regression_r2_early_stopping.py": [("r2 > 0.3", "R² above 0.3 on held-out data"),
                                        ("len(hist) < 300", "stopped early by the lone callback"),
                                        ("test_predictions.shape == (89,)", "predictions")],
    "keras_regressor_kfold.py": [("results.shape == (3,)", "one score per fold"),
                                 ("-results.mean() < 0.8 * np.var(Y)", "clearly better than predicting the mean"),
                                 ("predictions.shape == (5,)", "predictions")],
    "pima_leaky_relu_batchnorm.py": [("accuracy > 0.68", "test accuracy above the 0.65 majority rate"),
                                     ("y_pred.shape == (154, 1)", "class predictions"),
                                     ("len(history.history['learning_rate']) == 30", "the learning rate logged")],
    "pima_regularized_clipped.py": [("scores[1] > 0.7", "test accuracy above 0.7"),
                                    ("probabilities.shape == (154, 1)", "probabilities")],
    "digits_categorical_checkpoint.py": [("accuracy > 0.9 and top2 >= accuracy", "test accuracy above 0.9"),
                                         ("len(log) == 15", "one CSV row per epoch"),
                                         ("predicted_classes.shape == (450,)", "predicted classes")],
    "pima_class_weight.py": [("results['recall'] > 0.6", "the balanced weights lift recall above 0.6"),
                             ("predicted.shape == (768,)", "predictions")],
    "fashion_early_stopping_report.py": [("report['accuracy'] > 0.6", "accuracy above 0.6 (chance: 0.1)"),
                                         ("len(history.history['loss']) < 30", "stopped by the lone callback"),
                                         ("y_pred.shape == (1000,)", "predictions")],
    "custom_callbacks_guide.py": [("len(history.history['loss']) < 30", "stopped by the custom callback"),
                                  ("min(history.history['loss']) < history.history['loss'][0]", "the loss fell"),
                                  ("predictions.shape == (10, 1)", "predictions")],
    "moons_checkpoint.py": [("test_acc > 0.8", "test accuracy of the best checkpoint above 0.8"),
                            ("predictions.shape == (70, 1)", "predictions")],
    "imdb_lstm.py": [("acc > 0.7", "test accuracy above 0.7 on reviews whose sentiment words are learnable (chance: 0.5)"),
                     ("predictions.shape == (10, 1)", "predictions")],
    "imdb_bidirectional_lstm.py": [("history.history['val_accuracy'][-1] > 0.7", "validation accuracy above 0.7"),
                                   ("predictions.shape == (10, 1)", "predictions")],
    "rnn_guide_stacked.py": [("gru_history.history['loss'][-1] < gru_history.history['loss'][0]",
                              "the GRU + SimpleRNN stack's loss fell"),
                             ("history.history['loss'][-1] < 0.8 * history.history['loss'][0]",
                              "the stacked Bidirectional LSTMs' loss fell"),
                             ("gru_predictions.shape == (8, 10) and predictions.shape == (8, 10)", "logits")],
    "rnn_guide_cells_mnist.py": [("same", "RNN(LSTMCell(units)) predicts as LSTM(units) with the same weights"),
                                 ("history.history['accuracy'][-1] > 0.35", "training accuracy above 0.35 after 4 "
                                  "epochs of SGD on 1,000 images (chance: 0.1)"),
                                 ("result.shape == (1,)", "a predicted digit")],
    "rnn_api_custom_cell.py": [("y.shape == (64,)", "the stacked cells' symbolic output, as the documentation's"),
                               ("history.history['loss'][-1] < 0.1 * history.history['loss'][0]",
                                "the stacked MinimalRNNCells' loss fell tenfold (to under 1% on 6 seeds)"),
                               ("predictions.shape == (8, 1)", "predictions")],
    "rnn_guide_state_reuse.py": [("output.shape == (20, 64) and new_output.shape == (20, 64)", "the guide's outputs"),
                                 ("len(existing_state) == 2 and existing_state[0].shape == (20, 64)",
                                  "the stateful layer's h and c after two paragraphs"),
                                 ("history.history['loss'][-1] < 0.5 * history.history['loss'][0]",
                                  "the stateful model's loss fell by half"),
                                 ("predictions.shape == (16, 1)", "predictions")],
    "masking_guide_mask_zero.py": [("padded_inputs.shape == (3, 6) and padded_inputs[0, 3:].sum() == 0",
                                    "post-padded with zeros"),
                                   ("history.history['loss'][-1] < history.history['loss'][0]", "the loss fell"),
                                   ("outputs.shape == (3, 32)", "predictions")],
    "mnist_denoising_autoencoder.py": [
        ("autoencoder.count_params() == 28353", "the example's summary: 28,353 parameters"),
        ("predictions.shape == (100, 28, 28, 1)", "denoised test images"),
        ("history.history['val_loss'][-1] < min(history.history['val_loss'][0], 0.65)",
         "denoising cross-entropy falling, below 0.65 (0.69 untrained)")],
    "mnist_mlp_layer_normalization.py": [
        ("np.allclose(output, [[-1, 1]] * 5, atol=1e-3)", "the documentation's output: each row (-1, 1)"),
        ("score[1] > 0.85", "test accuracy above 0.85"),
        ("predicted_digits.shape == (20,)", "predicted digits")],
}


@pytest.fixture(scope="module")
def guide_files(tmp_path_factory):
    """A folder with the data files the guides read from their working directory."""
    folder = tmp_path_factory.mktemp("guide-data")
    table = np.loadtxt(SHARED_DATASETS / "pima" / "diabetes.csv", delimiter=",", skiprows=1)
    np.savetxt(folder / "pima-indians-diabetes.csv", table, delimiter=",", fmt="%g")  # the UCI file: no header
    for name in ("mnist/mnist.npz", "fashion_mnist/fashion_mnist.npz"):
        (folder / Path(name).name).symlink_to(SHARED_DATASETS / name)
    return folder


def _imported_modules(source):
    """The top-level names of every module the snippet imports."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_snippet_has_expectations():
    assert sorted(path.name for path in SNIPPETS.glob("*.py")) == sorted(EXPECTATIONS)
    assert len(EXPECTATIONS) >= 10


def _close_figures():
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_snippet_trains_and_predicts(name, guide_files, monkeypatch, tmp_path):
    source = (SNIPPETS / name).read_text()
    modules = _imported_modules(source)
    assert "gradwise" in modules and not modules & {"keras", "tensorflow", "tf_keras"}, modules
    for path in guide_files.iterdir():
        (tmp_path / path.name).symlink_to(path)
    monkeypatch.chdir(tmp_path)
    try:
        scope = runpy.run_path(str(SNIPPETS / name), run_name="__main__")
    finally:
        _close_figures()  # a guide's plt.show() leaves its figures open in this process
    for expression, description in EXPECTATIONS[name]:
        assert _value(scope, expression), f"{name}: {description} ({expression})"
