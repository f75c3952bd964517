"""The scores ``gradwise tune`` reports: accuracy and log loss for classes, R², MAE and RMSE for numbers.

Test scores are computed in the target's own terms (labels, original units); the
cross-validated score of every model, network or baseline, is the accuracy or R² of its
predictions on each validation fold, as mean and standard deviation over the folds.
"""

import numpy as np

from .target import target_numbers

CV_METRIC = {"binary": "accuracy", "multiclass": "accuracy", "regression": "r2"}


def test_scores(task, classes, truth_cells, outputs):
    """Scores of decoded `outputs` against the test cells.

    `outputs` are class probabilities (rows, classes) or values in the target's units.
    """
    from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, r2_score

    if task == "regression":
        truth = target_numbers(truth_cells)
        values = np.asarray(outputs, dtype=np.float64).reshape(-1)
        return {"r2": float(r2_score(truth, values)), "mae": float(mean_absolute_error(truth, values)),
                "rmse": float(np.sqrt(mean_squared_error(truth, values)))}
    probabilities = np.asarray(outputs, dtype=np.float64)
    predicted = np.array(classes, dtype=object)[probabilities.argmax(axis=1)]
    accuracy = float(np.mean(predicted == np.array(truth_cells, dtype=object)))
    index = {label: position for position, label in enumerate(classes)}
    codes = [index[cell] for cell in truth_cells]
    probabilities = np.clip(probabilities, 1e-15, 1.0)
    return {"accuracy": accuracy,
            "log_loss": float(log_loss(codes, probabilities / probabilities.sum(axis=1, keepdims=True),
                                       labels=list(range(len(classes)))))}


def fold_score(task, outputs, y):
    """Accuracy (classes) or R² (numbers) of encoded-space `outputs` against encoded targets `y`."""
    from sklearn.metrics import r2_score

    outputs = np.asarray(outputs, dtype=np.float64)
    y = np.asarray(y).reshape(-1)
    if task == "regression":
        return float(r2_score(y, outputs.reshape(-1)))
    if task == "binary":
        predicted = (outputs.reshape(-1) > 0.5).astype(np.int64)
    else:
        predicted = outputs.argmax(axis=1)
    return float(np.mean(predicted == y.astype(np.int64)))


def cv_summary(task, fold_values):
    values = [float(v) for v in fold_values]
    return {"metric": CV_METRIC[task], "mean": float(np.mean(values)), "std": float(np.std(values)),
            "folds": values}
