"""Functional-API snippets in the style of the Keras guide, changed only in their imports (and made
smaller or given synthetic data, lines marked ``# corpus:``), each run as a script in a fresh
working directory: they must build, train, save or predict as Keras would."""

from pathlib import Path

import pytest

from .guide_runner import run_snippet_and_check

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
    "ticket_classification.py": ["sorted(predictions) == ['department', 'priority']",
                                 "predictions['department'].shape == (5, 4) and predictions['priority'].shape == (5, 1)",
                                 "list(history.history)[:3] == ['loss', 'priority_loss', 'department_loss']",
                                 "np.isfinite(history.history['loss']).all()"],
    "ticket_list_losses.py": ["priority.shape == (4, 1) and department.shape == (4, 4)",
                              # the total is the weighted sum of the output losses (no penalties here)
                              "abs(history.history['loss'][0] - history.history['priority_loss'][0]"
                              " - 0.2 * history.history['department_loss'][0]) < 1e-6"],
    "autoencoder.py": ["reconstructions.shape == (4, 28, 28, 1) and codes.shape == (4, 8)",
                       "isinstance(autoencoder.layers[0], layers.InputLayer)",  # Keras's: the Input comes first
                       "[layer.name for layer in autoencoder.layers[1:]] == ['encoder', 'decoder']",
                       "autoencoder.count_params() == encoder.count_params() + decoder.count_params()",
                       "np.isfinite(history.history['loss']).all()"],
    "ensemble.py": ["predictions.shape == (8, 1)", "ensemble_model.count_params() == 3 * 129",
                    "history.history['loss'][-1] < 0.6 * history.history['loss'][0]"],
    "feature_extraction.py": ["[f.shape for f in extracted_features] == [(3, 16, 16, 3), (3, 14, 14, 8), (3, 7, 7, 8), "
                              "(3, 5, 5, 16), (3, 16), (3, 10)]",  # the InputLayer's output first, as in Keras
                              "np.array_equal(extracted_features[0], img)",
                              "np.allclose(extracted_features[-1], vgg19.predict(img, verbose=0), atol=1e-6)"],
    "transfer_learning.py": ["(frozen_before == frozen_after).all()",  # frozen while base_model.trainable is False
                             "not (base_model.get_weights()[0] == frozen_after).all()",  # fine-tuned after
                             "predictions.shape == (6, 1)", "len(history.history['val_loss']) == 2"],
    "intermediate_layer_output.py": [
        "intermediate_output.shape == (192, 32)", "history.history['loss'][-1] < history.history['loss'][0]",
        "np.allclose(intermediate_output, np.maximum(data @ model.get_layer('my_layer').get_weights()[0]"
        " + model.get_layer('my_layer').get_weights()[1], 0), atol=1e-5)"],
    "nested_sequential.py": ["predictions.shape == (4, 1)", "history.history['accuracy'][-1] > 0.8",
                             "[type(layer).__name__ for layer in classifier.layers] == ['Model', 'Model']",
                             "model.get_layer('encoder') is encoder"],
    "probability_model.py": ["predictions.shape == (32, 10)", "np.allclose(predictions.sum(axis=1), 1, atol=1e-5)",
                             "np.isfinite(test_loss)"],
    "siamese.py": ["history.history['accuracy'][-1] > 0.8", "predictions.shape == (5, 1)",
                   "siamese.parameter_set.names.count(tower.layers[1].name + '/kernel') == 1"],
    "residual_mlp.py": ["predictions.shape == (6, 1)",
                        "history.history['val_loss'][-1] < 0.7 * history.history['val_loss'][0]"],
    "wide_and_deep.py": ["y_pred_main.shape == (3, 1) and y_pred_aux.shape == (3, 1)",
                         "abs(total_loss - 0.9 * main_loss - 0.1 * aux_loss) < 1e-5 * total_loss",
                         "history.history['loss'][-1] < history.history['loss'][0]",
                         "'val_aux_output_loss' in history.history"],
    "multi_output_metrics.py": ["sorted(scores) == ['age_loss', 'age_mae', 'kind_accuracy', 'kind_loss', 'loss']",
                                "scores['kind_accuracy'] > 0.6",  # chance is 1/3
                                "age_pred.shape == (5, 1) and kind_pred.shape == (5, 3)"],
    "inception_block.py": ["predictions.shape == (4, 2)", "np.isfinite(history.history['loss']).all()",
                           "model.get_layer(index=-1).output_shape == (2,)"],
    "unet_segmentation.py": ["model.count_params() == 2058979",  # the example's summary: 2,058,979 parameters
                             "val_preds.shape == (4, 32, 32, 3)", "mask.shape == (32, 32)",
                             "history.history['loss'][-1] < history.history['loss'][0]",
                             "__import__('os').path.exists('oxford_segmentation.keras')"],
    # digits 0 and 1: chance is 0.5; validation runs on BatchNormalization's moving statistics, still
    # near their start after 30 steps at momentum 0.99 (as in Keras), so training accuracy is checked
    "separable_classifier.py": ["history.history['acc'][-1] > 0.9",
                                "predictions.shape == (1, 1)", "0 <= score <= 1"],
    "sequential_feature_extraction.py": [
        "[f.shape for f in features] == [(1, 23, 23, 32), (1, 21, 21, 32), (1, 19, 19, 32)]",
        "np.allclose(intermediate, features[1])",
        "np.allclose(features[-1], initial_model.predict(x, verbose=0), atol=1e-6)"],
    "rnn_states.py": ["[t.shape for t in encoder_state] == [(16,), (16,)]", "predictions.shape == (5, 2)",
                      "history.history['accuracy'][-1] > 0.8"],
    # fine-tuned with base_model(inputs, training=False): its BatchNormalization keeps its moving statistics
    "batchnorm_fine_tuning.py": ["(moving_mean_before == moving_mean_after).all()",
                                 "np.isfinite(history.history['loss']).all()"],
}


def test_every_snippet_has_expectations():
    assert sorted(path.name for path in SNIPPETS.glob("*.py")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_snippet_trains_and_predicts(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_snippet_and_check(SNIPPETS / name, EXPECTATIONS[name])
