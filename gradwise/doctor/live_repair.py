"""Remedies the Doctor callback can apply to a model while it trains (``Doctor(repair=True)``).

Only changes that keep the model's structure are applied live: the learning rate,
gradient clipping, Adam in place of SGD, a one-off cut of the learning rate on a
plateau, early stopping with the best validation weights restored, and a new
initialization (another kernel initializer, zero biases): the weights are re-drawn in
place from the edited config, the optimizer state is reset, and training restarts from
them within the same fit, when at least ``RECHECK`` epochs are left to train them
(otherwise it is proposed). Every change is
announced and logged with the code it stands for; a remedy that needs a rebuilt model is
logged as proposed (``applied: False``). After fit, ``after`` re-runs the detectors on
the epochs that followed each repair, as the evidence that the problem is gone (or not).

Next remedy. ``RECHECK`` = 3 epochs after a remedy, the detectors are run on the epochs
since it; if its finding is still there, the finding's next live remedy that was not
tried yet is applied (a lower learning rate, then clipping, then a cut on plateau).

Never worse. The model as it was when the first remedy was applied is kept (its weights,
optimizer and validation loss). At the end of fit, if the repaired run ends with a
validation loss higher than that by 2% or more (the margin ``diagnose`` uses for the
log-loss), the original weights and optimizer are put back and the report says so.
Without validation data the comparison cannot be made, and the report says that too.
"""

import math

from .. import optimizers
from .findings import severity_rank

RECHECK = 3
WORSE = 1.02

LIVE = ("lower_learning_rate", "raise_learning_rate", "clipnorm", "switch_to_adam", "reduce_lr_on_plateau",
        "regularize", "early_stopping", "reinitialize", "reset_bias")
REINITIALIZING = ("reinitialize", "reset_bias")


class LiveRepairer:
    """Applies live remedies to `model` and keeps the log; `say` announces each one."""

    def __init__(self, model, say):
        self.model = model
        self.say = say
        self.log = []
        self._treated = {}  # code -> {"epoch": last remedy's epoch, "checked": last recheck, "actions": tried}
        self._best_loss = math.inf
        self._best = None
        self._restore = False
        self._last_val = None
        self._original = None
        self.kept_original = None

    def remember(self, epoch, logs):
        """Keep the weights of the epoch with the lowest validation loss (for early stopping)."""
        value = (logs or {}).get("val_loss")
        self._last_val = value if value is not None and math.isfinite(value) else None
        if value is not None and math.isfinite(value) and value < self._best_loss:
            self._best_loss = value
            self._best = (epoch, self.model.get_weights())

    def _still_there(self, code, state, report, epoch):
        """Whether `code` persists on the epochs since its last remedy (checked every RECHECK epochs)."""
        if epoch is None or epoch - max(state["epoch"], state["checked"]) < RECHECK:
            return False
        state["checked"] = epoch
        from .detectors import run_detectors

        later = report.trace.since(state["epoch"] + 1)
        return any(finding.code == code and finding.rank >= severity_rank("warning")
                   for finding in run_detectors(later))

    def _keep_original(self, epoch):
        if self._original is None:
            optimizer = self.model.optimizer
            self._original = {"epoch": epoch, "weights": self.model.get_weights(), "val_loss": self._last_val,
                              "optimizer": optimizer, "learning_rate": optimizer.learning_rate
                              if optimizer.schedule is None else optimizer.schedule,
                              "clipnorm": optimizer.clipnorm}

    def treat(self, report, epoch):
        for finding in report.findings:
            if finding.rank < severity_rank("warning") or finding.caused_by:
                continue
            state = self._treated.get(finding.code)
            if state is not None and not self._still_there(finding.code, state, report, epoch):
                continue
            if state is None:
                state = self._treated[finding.code] = {"epoch": epoch if epoch is not None else -1, "checked": -1,
                                                       "actions": set()}
            left = report.trace.total_epochs - epoch - 1 if epoch is not None else 0
            remedy = next((item for item in finding.remedies if item.action in LIVE and self._applicable(item, left)
                           and item.action not in state["actions"]), None)
            if remedy is None and state["actions"]:
                continue  # every live remedy was tried: nothing more to do during fit
            entry = {"finding": finding.code, "epoch": epoch, "evidence": dict(finding.evidence)}
            if state["actions"]:
                entry["next_remedy"] = True
            if remedy is None:
                top = finding.remedies[0] if finding.remedies else None
                entry.update(applied=False, action=getattr(top, "action", None),
                             description="needs a rebuilt model: " + getattr(top, "description", "see the report"),
                             code=getattr(top, "code", ""))
                self.log.append(entry)
                continue
            state["actions"].add(remedy.action)
            state["epoch"] = epoch if epoch is not None else state["epoch"]
            self._keep_original(epoch)
            detail = self._apply(remedy, epoch, report.trace)
            entry.update(applied=True, action=remedy.action, description=remedy.description + detail, code=remedy.code)
            self.log.append(entry)
            where = "after fit" if epoch is None else f"after epoch {epoch + 1}"
            self.say(f"gradwise doctor repair [{where}] for {finding.code}: {remedy.code}{detail}")

    def _applicable(self, remedy, epochs_left=0):
        optimizer = self.model.optimizer
        if remedy.action in REINITIALIZING:  # new weights need epochs to train, or they are handed back untrained
            return epochs_left >= RECHECK
        if remedy.action in ("lower_learning_rate", "raise_learning_rate", "reduce_lr_on_plateau"):
            return optimizer.schedule is None
        if remedy.action == "clipnorm":
            return optimizer.global_clipnorm is None
        return True

    def _reinitialize(self, remedy, trace):
        """Re-draw the weights in place from the edited initializers (same shapes), with a fresh
        optimizer state: training restarts from the new initialization within this fit."""
        from .edits import EDITS
        from .spec import Spec

        spec = Spec.from_model(self.model).copy()  # the copy starts from its initializers
        if EDITS[remedy.action](spec, remedy, trace) is None:
            return None
        shape = tuple(self.model.input_shape)
        fresh = spec.build(input_shape=shape[1:] if shape and shape[0] is None else shape)
        self.model.set_weights(fresh.get_weights())  # in place: fit keeps training the same buffer
        self.model.optimizer = optimizers.deserialize(optimizers.serialize(self.model.optimizer))
        return " (weights re-drawn in place; training restarts from them in this fit)"

    def _apply(self, remedy, epoch, trace=None):
        optimizer = self.model.optimizer
        action = remedy.action
        if action in REINITIALIZING:
            return self._reinitialize(remedy, trace) or ""
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
        """End of fit: restore the best weights if early stopping was applied; then put the original
        back if the repaired run ended worse on validation (see the module docstring)."""
        final = self._last_val
        if self._restore and self._best is not None:
            best_epoch, weights = self._best
            self.model.set_weights(weights)
            final = self._best_loss
            self.say(f"gradwise doctor repair: restored the weights of epoch {best_epoch + 1} "
                     f"(lowest val_loss {self._best_loss:.4g})")
            for entry in self.log:
                if entry.get("action") in ("regularize", "early_stopping") and entry["applied"]:
                    entry["restored_epoch"] = best_epoch
        original = self._original
        if original is None:
            return
        if original["val_loss"] is None:
            self.kept_original = {"kept": False, "note": "no validation loss: the repaired run could not be compared "
                                                         "with the original"}
            return
        if final is not None and final < WORSE * original["val_loss"]:
            self.kept_original = {"kept": False, "val_loss_before": original["val_loss"], "val_loss_after": final}
            return
        self.model.set_weights(original["weights"])
        optimizer = original["optimizer"]
        self.model.optimizer = optimizer
        optimizer.learning_rate, optimizer.clipnorm = original["learning_rate"], original["clipnorm"]
        after = "a non-finite validation loss" if final is None else f"val_loss {final:.4g}"
        message = (f"the repaired run ended with {after}, worse than the {original['val_loss']:.4g} of the model when "
                   f"the first repair was applied (epoch {(original['epoch'] or 0) + 1}): that model's weights and "
                   "optimizer were put back")
        self.kept_original = {"kept": True, "val_loss_before": original["val_loss"], "val_loss_after": final,
                              "note": message}
        self.say("gradwise doctor repair: " + message)

    def after(self, run_detectors, trace):
        """Findings on the epochs after each applied repair: {'codes': [...], 'evidence': {code: ...}}."""
        applied = [entry for entry in self.log if entry["applied"] and entry["epoch"] is not None]
        if not applied:
            return None if self.kept_original is None else {"codes": [], "evidence": {},
                                                            "original": self.kept_original}
        start = min(entry["epoch"] for entry in applied) + 1
        later = trace.since(start)
        if not later.epochs:
            return {"codes": [], "evidence": {}, "since_epoch": start + 1, "note": "no epochs ran after the repair",
                    **({"original": self.kept_original} if self.kept_original is not None else {})}
        findings = [finding for finding in run_detectors(later) if finding.rank >= severity_rank("warning")]
        result = {"codes": sorted({finding.code for finding in findings}), "since_epoch": start + 1,
                  "evidence": {finding.code: finding.evidence for finding in findings}}
        if self.kept_original is not None:
            result["original"] = self.kept_original
        return result
