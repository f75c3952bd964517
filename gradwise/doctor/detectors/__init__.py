"""Detectors: pure functions from a Trace to a list of Findings, one module per family.

Each module documents its rules, its thresholds and where each threshold comes from (a
paper, a tool, or calibration on the fault suite in ``bench/doctor``).
"""

from . import activations, generalization, gradients, initialization, inputs, learning_rate, numerics, pairing, progress
from .pairing import check_labels

DETECTORS = (numerics.DETECTORS + pairing.DETECTORS + inputs.DETECTORS + initialization.DETECTORS
             + gradients.DETECTORS + activations.DETECTORS + learning_rate.DETECTORS + progress.DETECTORS
             + generalization.DETECTORS)


def run_detectors(trace, detectors=DETECTORS):
    """Every finding the `detectors` make on `trace`, in detector order."""
    findings = []
    for detector in detectors:
        findings.extend(detector(trace))
    return findings


__all__ = ["DETECTORS", "run_detectors", "check_labels"]
