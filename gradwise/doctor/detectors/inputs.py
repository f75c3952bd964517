"""UNNORMALIZED_INPUT: features far from mean 0 and standard deviation 1.

From the first epoch's training rows (a reservoir of up to 1024): the finding fires
when some feature's absolute mean or standard deviation exceeds ``SCALE`` = 10 (error
above ``SCALE_ERROR`` = 100). Large inputs make the first layer's pre-activations large
(saturating sigmoid/tanh units, producing huge ReLU activations and gradients), and
features of very different scales make one learning rate wrong for all of them.
UMLAUT (CHI'21) checks image data for a [0, 1] range; this rule covers any numeric
data. Calibration: raw iris (largest mean 5.9) trains well and stays silent; raw
digits pixels (0-16, mean up to 12), raw Pima (glucose about 120, insulin std 115) and
raw breast-cancer areas (hundreds) are flagged. Skipped when the model starts with
BatchNormalization or Rescaling, which normalize inside the model.
"""

from .. import remedies
from ..findings import Finding
from ._signals import fmt

SCALE = 10.0
SCALE_ERROR = 100.0


def detect_unnormalized_input(trace):
    inputs = trace.setup.get("inputs")
    if not inputs or trace.setup.get("input_normalized_in_model"):
        return []
    scale = max(inputs.get("max_abs_mean", 0.0), inputs.get("max_std", 0.0))
    if not scale > SCALE:
        return []
    worst = inputs.get("worst") or []
    listed = ", ".join(f"{item['feature']} (mean {fmt(item['mean'])}, std {fmt(item['std'])})" for item in worst[:3])
    evidence = {"max_abs_mean": inputs["max_abs_mean"], "max_std": inputs["max_std"], "min_std": inputs["min_std"],
                "threshold": SCALE, "worst_features": worst[:3], "value_range": [inputs.get("min"), inputs.get("max")]}
    return [Finding(
        "UNNORMALIZED_INPUT", "Inputs are not standardized", "error" if scale > SCALE_ERROR else "warning",
        f"Some input features are far from mean 0 and standard deviation 1: {listed}. The first layer's "
        "pre-activations then start large, which saturates sigmoid/tanh units or blows up ReLU activations and "
        "gradients, and one learning rate cannot suit features of such different scales.",
        evidence, [remedies.standardize_inputs(trace.setup), remedies.batch_norm(trace.kernel_layers()[:1])],
        epoch=None, step=-1)]


DETECTORS = [detect_unnormalized_input]
