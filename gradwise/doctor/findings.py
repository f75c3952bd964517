"""Finding and Remedy: what the doctor reports, as plain data.

A finding names one problem (``code``, from ``CODES``), says how bad it is
(``severity``), where it showed (epoch, batch, layer), the numbers that prove it
(``evidence``), why it happens (``explanation``, two or three sentences) and what to do
about it (``remedies``, best first). A remedy is a concrete code change; its ``action``
and ``params`` let ``gradwise.doctor.repair`` apply it.
"""

from dataclasses import dataclass, field

CODES = (
    "VANISHING_GRADIENT", "EXPLODING_GRADIENT", "DYING_RELU", "SATURATION", "LR_TOO_HIGH", "LR_TOO_LOW",
    "PLATEAU", "OVERFITTING", "UNDERFITTING", "UNNORMALIZED_INPUT", "NAN_INF", "LOSS_ACTIVATION_MISMATCH",
    "BAD_INITIALIZATION",
)
SEVERITIES = ("info", "warning", "error", "critical")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def severity_rank(severity):
    """0 for 'info' up to 3 for 'critical'."""
    if severity not in _RANK:
        raise ValueError(f"`severity` must be one of {SEVERITIES}, got {severity!r}.")
    return _RANK[severity]


@dataclass
class Remedy:
    """One fix, written as the code change it stands for.

    Parameters
    ----------
    action : str
        What ``repair`` does, e.g. 'lower_learning_rate', 'clipnorm', 'leaky_relu'.
    description : str
        One line in plain language.
    code : str
        The change in the user's script, e.g. ``SGD(learning_rate=0.5)  # was 5.0``.
    params : dict
        Arguments of the action (a new learning rate, a layer name, ...).
    """

    action: str
    description: str
    code: str
    params: dict = field(default_factory=dict)

    def to_dict(self):
        return {"action": self.action, "description": self.description, "code": self.code,
                "params": _plain(self.params)}


@dataclass
class Finding:
    """One diagnosed problem.

    Parameters
    ----------
    code : str
        One of ``CODES``.
    title : str
    severity : {'info', 'warning', 'error', 'critical'}
    explanation : str
        The cause in plain language, two or three sentences.
    evidence : dict of str -> number, str or list
    remedies : list of Remedy
        Ranked: the first is the one ``repair`` applies.
    epoch, batch : int or None
        Where the problem was first seen (0-based); None for set-up problems seen before training.
    layer : str or None
    step : int
        Global batch index of the first sighting (-1 before training): orders causes.
    """

    code: str
    title: str
    severity: str
    explanation: str
    evidence: dict = field(default_factory=dict)
    remedies: list = field(default_factory=list)
    epoch: int = None
    batch: int = None
    layer: str = None
    step: int = -1
    root_cause: bool = False
    caused_by: list = field(default_factory=list)

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"Finding: `code` must be one of {CODES}, got {self.code!r}.")
        severity_rank(self.severity)
        self.remedies = [remedy for remedy in self.remedies if remedy is not None]  # a remedy that does not apply

    @property
    def rank(self):
        return severity_rank(self.severity)

    @property
    def key(self):
        """Identity of a finding across detector runs: the code and the layer."""
        return (self.code, self.layer)

    def where(self):
        """'before training', or 'epoch 3, batch 12, layer dense_1' (1-based, as fit prints)."""
        parts = []
        if self.epoch is None:
            parts.append("before training")
        else:
            parts.append(f"epoch {self.epoch + 1}")
            if self.batch is not None:
                parts.append(f"batch {self.batch + 1}")
        if self.layer:
            parts.append(f"layer {self.layer}")
        return ", ".join(parts)

    def to_dict(self):
        return {
            "code": self.code, "title": self.title, "severity": self.severity, "where": self.where(),
            "epoch": self.epoch, "batch": self.batch, "layer": self.layer, "step": self.step,
            "evidence": _plain(self.evidence), "explanation": self.explanation,
            "remedies": [remedy.to_dict() for remedy in self.remedies],
            "root_cause": self.root_cause, "caused_by": list(self.caused_by),
        }


def _plain(value):
    """JSON-ready copy: numpy scalars and arrays become floats, ints and lists; NaN/Inf become strings."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    return value
