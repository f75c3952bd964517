"""The scores ``gradwise tune`` reports: accuracy, balanced accuracy, log loss and ROC AUC for classes, R², MAE and
RMSE for numbers.

Balanced accuracy (each class's recall, averaged over the classes) and ROC AUC (how often a row of a class is
ranked above a row of another by its probability; one class against the rest, averaged, for several classes) are
there for a table whose classes are imbalanced: where 95% of the rows are one class, a model that never predicts
the other scores an accuracy of 0.95, and a balanced accuracy of 0.50 and a ROC AUC of 0.50 if its probabilities
rank nothing. ROC AUC needs every class among the test rows; it is left out of the table where one is missing.

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
    from sklearn.metrics import (balanced_accuracy_score, log_loss, mean_absolute_error, mean_squared_error, r2_score,
                                 roc_auc_score)

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
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    labels = list(range(len(classes)))
    scores = {"accuracy": accuracy,
              "balanced_accuracy": float(balanced_accuracy_score(codes, probabilities.argmax(axis=1))),
              "log_loss": float(log_loss(codes, probabilities, labels=labels))}
    if len(set(codes)) == len(classes):
        scores["roc_auc"] = float(roc_auc_score(codes, probabilities[:, 1]) if len(classes) == 2 else
                                  roc_auc_score(codes, probabilities, multi_class="ovr", labels=labels))
    return scores


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
