"""LOSS_ACTIVATION_MISMATCH: an output activation, a loss and labels that do not go together.

Rules (no thresholds: each is a fact about the set-up, checked before training):

- softmax output with binary_crossentropy on more than one unit: each softmax output
  is scored as an independent yes/no, and the reported accuracy is inflated by the
  zeros (UMLAUT, CHI'21, and the Keras guide's table of loss/activation pairs);
- softmax over a single unit: its output is always 1;
- sigmoid outputs with a categorical cross-entropy: the outputs do not sum to 1;
- a cross-entropy on an output that is not a probability (linear, ReLU, tanh...)
  without ``from_logits=True``: outputs outside (0, 1) are clipped and pass no gradient;
- ``from_logits=True`` on a sigmoid/softmax output: the activation is applied twice;
- a sigmoid/softmax output for regression targets outside [0, 1]: unreachable targets;
- labels the loss cannot read (integer labels with categorical_crossentropy, one-hot
  rows with sparse_categorical_crossentropy, class indices above 1 with
  binary_crossentropy): ``check_labels``, run by ``diagnose`` before fitting, since fit
  rejects them.
"""

import numpy as np

from .. import remedies
from ..findings import Finding

CROSSENTROPIES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
PROBABILITY = ("sigmoid", "softmax")


def _finding(setup, title, explanation, fix, evidence=None):
    evidence = {"output_activation": setup.get("output_activation"), "loss": setup.get("loss"),
                "from_logits": setup.get("from_logits"), "output_units": setup.get("output_units"), **(evidence or {})}
    return Finding("LOSS_ACTIVATION_MISMATCH", title, "error", explanation, evidence, [fix],
                   layer=setup.get("output_layer"), step=-1)


def detect_mismatch(trace):
    setup = trace.setup
    activation, loss, units = setup.get("output_activation") or "linear", setup.get("loss"), setup.get("output_units")
    from_logits = setup.get("from_logits")
    labels = setup.get("labels") or {}
    if loss == "binary_crossentropy" and activation == "softmax":
        if units == 1:
            return [_finding(setup, "Softmax over a single output unit",
                             "A softmax over one unit always outputs 1, whatever the input, so the model cannot "
                             "learn. A binary classifier needs a sigmoid output.",
                             remedies.fix_output(setup, "sigmoid", "binary_crossentropy"))]
        target = "categorical_crossentropy"
        return [_finding(setup, f"Softmax output with binary_crossentropy on {units} classes",
                         f"binary_crossentropy scores each of the {units} softmax outputs as a separate yes/no "
                         "question, which is not what a softmax models; its accuracy counts the many correct "
                         "zeros and looks far better than the real classification accuracy.",
                         remedies.fix_output(setup, "softmax", target))]
    categorical = loss in ("categorical_crossentropy", "sparse_categorical_crossentropy")
    if categorical and activation == "sigmoid" and units > 1:
        return [_finding(setup, f"Sigmoid outputs with {loss}",
                         "Independent sigmoid outputs do not sum to 1, but a categorical cross-entropy treats "
                         "them as one probability distribution over the classes.",
                         remedies.fix_output(setup, "softmax", loss))]
    if loss in CROSSENTROPIES and not from_logits and activation not in PROBABILITY:
        return [_finding(setup, f"{activation} output with {loss} not told from_logits",
                         f"The {activation} output is not a probability, but {loss} reads it as one: values "
                         "outside (0, 1) are clipped and pass no gradient. Either end with a "
                         f"{'sigmoid' if loss == 'binary_crossentropy' else 'softmax'} or tell the loss it gets "
                         "logits.", remedies.fix_output(setup, None, loss, from_logits=True))]
    if loss in CROSSENTROPIES and from_logits and activation in PROBABILITY:
        return [_finding(setup, f"{activation} output with {loss}(from_logits=True)",
                         f"The loss applies its own {activation} to what it takes for logits, but the outputs are "
                         f"already probabilities: the {activation} is applied twice, which squeezes the predictions "
                         "towards the middle and weakens the gradient.", remedies.fix_output(setup, activation, loss))]
    if labels.get("task") == "regression" and activation in PROBABILITY and (
            labels.get("min", 0.0) < 0.0 or labels.get("max", 0.0) > 1.0):
        return [_finding(setup, f"{activation} output for targets outside [0, 1]",
                         f"The targets range from {labels['min']:.3g} to {labels['max']:.3g}, but a {activation} "
                         "output can only produce values in (0, 1), so most targets are out of reach.",
                         remedies.fix_output(setup, None, loss), {"target_range": [labels["min"], labels["max"]]})]
    return []


def check_labels(y, setup):
    """Findings for labels the loss cannot read (fit would raise on them), from the raw `y`."""
    y = np.asarray(y)
    loss, units = setup.get("loss"), setup.get("output_units")
    integer = y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)
    with np.errstate(invalid="ignore"):
        whole = integer and y.size and np.issubdtype(y.dtype, np.number) and np.all(np.mod(y, 1) == 0)
    if loss == "categorical_crossentropy" and whole and units and units > 1:
        return [_finding(setup, "Integer labels with categorical_crossentropy",
                         f"categorical_crossentropy expects one-hot rows with {units} columns, but the labels are "
                         f"class indices (shape {y.shape}). fit rejects them; "
                         "sparse_categorical_crossentropy reads class indices directly.",
                         remedies.fix_output(setup, setup.get("output_activation"), "sparse_categorical_crossentropy"),
                         {"label_shape": list(y.shape)})]
    if loss == "sparse_categorical_crossentropy" and y.ndim == 2 and y.shape[1] == units and units > 1:
        return [_finding(setup, "One-hot labels with sparse_categorical_crossentropy",
                         "sparse_categorical_crossentropy expects one class index per sample, but the labels are "
                         f"one-hot rows (shape {y.shape}); categorical_crossentropy reads them directly.",
                         remedies.fix_output(setup, setup.get("output_activation"), "categorical_crossentropy"),
                         {"label_shape": list(y.shape)})]
    if loss == "binary_crossentropy" and whole and y.size and (y.min() < 0 or y.max() > 1):
        classes = int(y.max()) + 1
        return [_finding(setup, f"{classes} classes with binary_crossentropy",
                         f"The labels hold {classes} classes (0 to {classes - 1}), but binary_crossentropy expects "
                         "0/1 labels. A multi-class problem needs a softmax output with one unit per class and "
                         "sparse_categorical_crossentropy.",
                         remedies.fix_output({**setup, "output_units": classes}, "softmax",
                                             "sparse_categorical_crossentropy"), {"classes": classes})]
    return []


DETECTORS = [detect_mismatch]
