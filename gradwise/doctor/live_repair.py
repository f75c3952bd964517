"""Remedies the Doctor callback can apply to a model while it trains (``Doctor(repair=True)``).

Only changes that keep the model's structure are applied live: the learning rate,
gradient clipping, Adam in place of SGD, a one-off cut of the learning rate on a
plateau, and early stopping with the best validation weights restored. Every change is
announced and logged with the code it stands for; a remedy that needs a rebuilt model is
logged as proposed (``applied: False``). After fit, ``after`` re-runs the detectors on
the epochs that followed each repair, as the evidence that the problem is gone (or not).
"""

import math

from .. import optimizers
from .findings import severity_rank

LIVE = ("lower_learning_rate", "raise_learning_rate", "clipnorm", "switch_to_adam", "reduce_lr_on_plateau",
        "regularize", "early_stopping")


class LiveRepairer:
    """Applies live remedies to `model` and keeps the log; `say` announces each one."""

    def __init__(self, model, say):
        self.model = model
        self.say = say
        self.log = []
        self._treated = set()
        self._best_loss = math.inf
        self._best = None
        self._restore = False

    def remember(self, epoch, logs):
        """Keep the weights of the epoch with the lowest validation loss (for early stopping)."""
        value = (logs or {}).get("val_loss")
        if value is not None and math.isfinite(value) and value < self._best_loss:
            self._best_loss = value
            self._best = (epoch, self.model.get_weights())

    def treat(self, report, epoch):
        for finding in report.findings:
            if finding.rank < severity_rank("warning") or finding.caused_by or finding.code in self._treated:
                continue
            self._treated.add(finding.code)
            remedy = next((item for item in finding.remedies if item.action in LIVE and self._applicable(item)), None)
            entry = {"finding": finding.code, "epoch": epoch, "evidence": dict(finding.evidence)}
            if remedy is None:
                top = finding.remedies[0] if finding.remedies else None
                entry.update(applied=False, action=getattr(top, "action", None),
                             description="needs a rebuilt model: " + getattr(top, "description", "see the report"),
                             code=getattr(top, "code", ""))
                self.log.append(entry)
                continue
            detail = self._apply(remedy, epoch)
            entry.update(applied=True, action=remedy.action, description=remedy.description + detail, code=remedy.code)
            self.log.append(entry)
            where = "after fit" if epoch is None else f"after epoch {epoch + 1}"
            self.say(f"gradwise doctor repair [{where}] for {finding.code}: {remedy.code}{detail}")

    def _applicable(self, remedy):
        optimizer = self.model.optimizer
        if remedy.action in ("lower_learning_rate", "raise_learning_rate", "reduce_lr_on_plateau"):
            return optimizer.schedule is None
        if remedy.action == "clipnorm":
            return optimizer.global_clipnorm is None
        return True

    def _apply(self, remedy, epoch):
        optimizer = self.model.optimizer
        action = remedy.action
        if action in ("lower_learning_rate", "raise_learning_rate"):
            optimizer.learning_rate = remedy.params["learning_rate"]
        elif action == "reduce_lr_on_plateau":
            optimizer.learning_rate = optimizer.learning_rate * 0.2
        elif action == "clipnorm":
            optimizer.clipnorm = remedy.params["clipnorm"]
        elif action == "switch_to_adam":
            self.model.optimizer = optimizers.Adam(learning_rate=remedy.params["learning_rate"])
        elif action in ("regularize", "early_stopping"):
            self.model.stop_training = True
            self._restore = True
            return " (applied as early stopping now, with the best validation weights restored)"
        if epoch is None:
            return " (takes effect on the next fit)"
        return ""

    def finish(self):
        """End of fit: restore the best weights if early stopping was applied."""
        if self._restore and self._best is not None:
            best_epoch, weights = self._best
            self.model.set_weights(weights)
            self.say(f"gradwise doctor repair: restored the weights of epoch {best_epoch + 1} "
                     f"(lowest val_loss {self._best_loss:.4g})")
            for entry in self.log:
                if entry.get("action") in ("regularize", "early_stopping") and entry["applied"]:
                    entry["restored_epoch"] = best_epoch

    def after(self, run_detectors, trace):
        """Findings on the epochs after each applied repair: {'codes': [...], 'evidence': {code: ...}}."""
        applied = [entry for entry in self.log if entry["applied"] and entry["epoch"] is not None]
        if not applied:
            return None
        start = min(entry["epoch"] for entry in applied) + 1
        later = trace.since(start)
        if not later.epochs:
            return {"codes": [], "evidence": {}, "since_epoch": start + 1, "note": "no epochs ran after the repair"}
        findings = [finding for finding in run_detectors(later) if finding.rank >= severity_rank("warning")]
        return {"codes": sorted({finding.code for finding in findings}), "since_epoch": start + 1,
                "evidence": {finding.code: finding.evidence for finding in findings}}
