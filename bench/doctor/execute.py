"""Run one case of the fault suite: load its data, build its model, diagnose (and repair) it."""

import time

import numpy as np

import warnings

from gradwise.callbacks import NonFiniteLossWarning
from gradwise.doctor import Doctor, diagnose
from gradwise.doctor.probe import improved, validation_score, worse
from gradwise.doctor.setup import describe_model
from gradwise.doctor.spec import Preparation, Spec

from .cases import (FAULTS, HEALTHY, HELD_OUT_FAULTS, HELD_OUT_HEALTHY, HELD_OUT_ROUND_TWO_FAULTS,
                    HELD_OUT_ROUND_TWO_HEALTHY, HELD_OUT_ROUND_THREE_FAULTS, HELD_OUT_ROUND_THREE_HEALTHY)
from .data import load

_REGRESSION_TARGETS = ("continuous", "standardized", "continuous_binary")


def corrupt(case, x_train, y_train, x_val, y_val):
    """Non-finite values injected as `case.corrupt` says: 'nan_x' (5% of the training and
    validation cells missing), 'nan_val_x' (missing cells in the validation rows only),
    'inf_x' (1% of the training cells +Inf),
    'inf_y' (regression targets through a log, with -Inf where the target was its minimum)."""
    rng = np.random.default_rng(0)
    if case.corrupt == "inf_x":
        x_train = np.array(x_train, dtype=np.float64)
        x_train[rng.random(x_train.shape) < 0.01] = np.inf
    elif case.corrupt in ("nan_x", "nan_val_x"):
        x_val = np.array(x_val, dtype=np.float64)
        x_val[rng.random(x_val.shape) < 0.05] = np.nan
        if case.corrupt == "nan_x":
            x_train = np.array(x_train, dtype=np.float64)
            x_train[rng.random(x_train.shape) < 0.05] = np.nan
    elif case.corrupt == "inf_y":
        low = min(y_train.min(), y_val.min())
        with np.errstate(divide="ignore"):
            y_train, y_val = np.log(y_train - low), np.log(y_val - low)
    elif case.corrupt is not None:
        raise ValueError(f"corrupt: unknown corruption {case.corrupt!r}")
    return x_train, y_train, x_val, y_val


def prepare(case):
    """(x_train, y_train, x_val, y_val, output_units) for `case`, labels shaped for its loss."""
    *data, units = _labelled(case, *load(case.data, case.scaling, case.train_size))
    if case.corrupt is not None:
        data = corrupt(case, *data)
    return (*data, units)


def _labelled(case, x_train, y_train, x_val, y_val):
    """The split with labels shaped for the case's loss, and the output units."""
    if case.targets in _REGRESSION_TARGETS:
        y_train, y_val = y_train.astype(np.float64), y_val.astype(np.float64)
        if case.targets == "standardized":
            mean, std = y_train.mean(), y_train.std()
            y_train, y_val = (y_train - mean) / std, (y_val - mean) / std
        return x_train, y_train, x_val, y_val, 1
    classes = int(max(y_train.max(), y_val.max())) + 1
    if case.targets == "one_hot":
        return x_train, np.eye(classes)[y_train], x_val, np.eye(classes)[y_val], classes
    if case.targets == "binary":
        return x_train, y_train.astype(np.float64), x_val, y_val.astype(np.float64), 1
    return x_train, y_train, x_val, y_val, classes


def find_case(name):
    for case in (FAULTS + HEALTHY + HELD_OUT_FAULTS + HELD_OUT_HEALTHY + HELD_OUT_ROUND_TWO_FAULTS
                 + HELD_OUT_ROUND_TWO_HEALTHY + HELD_OUT_ROUND_THREE_FAULTS + HELD_OUT_ROUND_THREE_HEALTHY):
        if case.name == name:
            return case
    raise KeyError(f"no case named {name!r}")


def _fit_with_doctor(model, case, data, repair=False):
    """The callback path: fit with Doctor() at its default (adaptive) sampling; fit errors end the run."""
    x_train, y_train, x_val, y_val = data
    doctor = Doctor(verbose=0, repair=repair)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", NonFiniteLossWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model.fit(x_train, y_train, epochs=case.epochs, batch_size=case.batch_size, verbose=0,
                      validation_data=(x_val, y_val), callbacks=[doctor])
        except ValueError:
            pass  # labels (or non-finite data) fit rejects: only diagnose() checks them before training
    return doctor.report


def _score(model, x_val, y_val):
    """Validation score of a fitted model, measured as diagnose measures it."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            spec = Spec.from_model(model)
            return validation_score(model, Preparation(spec, x_val, y_val), x_val, y_val, describe_model(model))
        except ValueError:
            return {}


def run_live(case, data, units, seed=None):
    """``Doctor(repair=True)`` inside fit against the same fit without it: the live repair's outcome."""
    x_train, y_train, x_val, y_val = data
    plain = case.build(x_train.shape[1], units, seed)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            plain.fit(x_train, y_train, epochs=case.epochs, batch_size=case.batch_size, verbose=0,
                      validation_data=(x_val, y_val))
        except ValueError:
            pass
    model = case.build(x_train.shape[1], units, seed)
    report = _fit_with_doctor(model, case, data, repair=True)
    before, after = _score(plain, x_val, y_val), _score(model, x_val, y_val)
    applied = [entry for entry in report.repairs if entry.get("applied")]
    gone = bool(applied) and case.expected not in ((report.after or {}).get("codes") or [case.expected])
    return report, {"live_applied": len(applied), "repair_gone": gone, "repair_improved": improved(before, after),
                    "repair_success": bool(gone and improved(before, after)),
                    "never_worse": not worse(before, after) if before else True,
                    "kept_original": bool(((report.after or {}).get("original") or {}).get("kept")),
                    "repairs": [f"{entry['finding']}: {entry.get('code')}" for entry in applied],
                    "before_score": before, "after_score": after}


def run_case(name, repair=True, mode="diagnose", seed=None):
    """A JSON-ready dict: the codes found, the root cause and, with `repair`, the repair outcome.

    `mode` 'diagnose' runs ``diagnose`` (every batch sampled); 'callback' runs ``fit`` with
    ``Doctor()`` at its default adaptive sampling (no repair); 'live' runs ``fit`` with
    ``Doctor(repair=True)`` and scores it against the same fit without the doctor. `seed`
    replaces the model's seed (other initial weights; the data split stays).
    """
    case = find_case(name)
    x_train, y_train, x_val, y_val, units = prepare(case)
    model = case.build(x_train.shape[1], units, seed)
    start = time.perf_counter()
    live = None
    if mode == "live":
        report, live = run_live(case, (x_train, y_train, x_val, y_val), units, seed)
        repair = False
    elif mode == "callback":
        repair = False
        report = _fit_with_doctor(model, case, (x_train, y_train, x_val, y_val))
    else:
        report = diagnose(model, x_train, y_train, validation_data=(x_val, y_val), epochs=case.epochs,
                          batch_size=case.batch_size, repair=repair)
    seconds = time.perf_counter() - start
    codes = sorted(report.codes())
    root = getattr(report.root_cause, "code", None)
    result = {"name": case.name, "expected": case.expected, "accept": list(case.accept), "root": list(case.root),
              "codes": codes,
              "root_cause": root, "seconds": seconds, "description": case.description}
    if live is not None:
        result.update(live if case.expected is not None else {"healthy_repairs": live["live_applied"]})
    if repair and case.expected is None:
        result["healthy_repairs"] = len(report.repairs)
    if repair and case.expected is not None:
        after = report.after or {}
        gone = case.expected not in (after.get("codes") or [])
        result.update(repair_gone=gone, repair_improved=bool(after.get("improved")),
                      repair_success=bool(gone and after.get("improved")),
                      never_worse=not worse(report.before or {}, after) or not report.repairs,
                      before_score=report.before, after_score={key: value for key, value in after.items()
                                                               if key != "evidence"},
                      repairs=[f"{entry['finding']}: {entry['change']}" for entry in report.repairs])
    return result
