"""repair: apply the top remedy of each problem, retrain, and show the evidence.

A round takes the findings (warning or worse) that are not consequences of another
finding, applies the first remedy of each that fits the set-up (``edits.EDITS``) and
that was not tried for that finding before, retrains the changed set-up with the same
probe and diagnoses it again. Rounds repeat while problems remain (at most `rounds`): a
remedy that did not clear its finding gives way to the finding's next remedy, and a
round that scored worse than the set-up it changed is undone. The set-up handed back
is never worse on validation than the original: when every repaired set-up is, the
original is kept and the report says so. Every change is logged with the code it
stands for; nothing is changed silently.

The returned model takes the same raw inputs as the original: when the inputs (or
regression targets) were standardized, the scaling is folded into the first (or last)
Dense layer's kernel and bias after training, which computes exactly the same function.
"""

import numpy as np

from ..layers import Dense
from .edits import EDITS
from .findings import severity_rank
from .probe import improved, run_probe, worse


def _plan(report, tried):
    """(finding, remedy) for each root or independent finding: its first applicable remedy not
    yet tried for that finding (so the same change is never applied twice)."""
    plan, actions = [], set()
    for finding in report.findings:
        if finding.rank < severity_rank("warning") or finding.caused_by:
            continue
        remedy = next((item for item in finding.remedies
                       if item.action in EDITS and _key(finding, item) not in tried), None)
        if remedy is not None and (remedy.action, str(remedy.params)) not in actions:
            actions.add((remedy.action, str(remedy.params)))
            plan.append((finding, remedy))
    return plan


def _key(finding, remedy):
    """A remedy as tried for a finding: the same action with other parameters (another layer,
    a rate the range test sized anew) is another remedy."""
    return finding.code, remedy.action, str(remedy.params)


def _serious(result):
    return len(result.report.codes("warning"))


def _better(candidate, best):
    """True when `candidate` should replace `best` (both no worse than the original): it leaves
    fewer problems, or as many and scores better on validation."""
    if _serious(candidate) != _serious(best):
        return _serious(candidate) < _serious(best)
    return improved(best.score, candidate.score)


def repair_spec(spec, first, data, *, epochs, batch_size, rounds=3, sample_every=1, feature_names=None):
    """Repair rounds starting from the probe `first` of `spec`; returns the final Report.

    Each round applies, per problem, the first remedy not yet tried for it. A round whose
    set-up scores worse on validation than the set-up it started from is undone (logged as
    ``kept: False``), and the next round tries each problem's next remedy. The set-up
    handed back is, of the rounds that score no worse than the original (``probe.worse``),
    the one that leaves the fewest problems, then the best scoring; when none qualifies, the
    original is kept and the report says so."""
    log, results, tried = [], [first], set()
    current_spec, current = spec, first
    for round_number in range(1, rounds + 1):
        plan = _plan(current.report, tried)
        if not plan:
            break
        new_spec = current_spec.copy()
        entries = []
        for finding, remedy in plan:
            tried.add(_key(finding, remedy))
            try:
                change = EDITS[remedy.action](new_spec, remedy, current.report.trace)
            except (ValueError, KeyError, TypeError):  # a shared layer, a subclassed model's config: not rewired
                change = None
            if change is None:
                continue
            entries.append({"round": round_number, "finding": finding.code, "action": remedy.action,
                            "description": remedy.description, "code": remedy.code, "change": change,
                            "evidence_before": dict(finding.evidence), "applied": True})
        if not entries:
            continue
        result = run_probe(new_spec, data, epochs, batch_size, sample_every, feature_names)
        after_codes = result.report.codes()
        undone = worse(current.score, result.score)
        for entry in entries:
            entry["gone_after"] = entry["finding"] not in after_codes
            entry["kept"] = not undone
        log += entries
        results.append(result)
        if not undone:
            current_spec, current = new_spec, result
    best = first
    for result in results[1:]:
        if not worse(first.score, result.score) and (best is first or _better(result, best)):
            best = result
    return _final_report(first, best, log, tried_any=len(results) > 1)


def _final_report(first, best, log, tried_any=False):
    """The original diagnosis, with the repairs, the scores before and after, and the repaired run."""
    report = first.report
    repaired = best is not first
    if tried_any and not repaired:
        report.notes.append("Every repaired set-up scored worse on validation than the original, so the "
                            "original is kept (report.repaired_model is None); the repairs tried are listed.")
    before_codes = sorted(report.codes())
    after_codes = sorted(best.report.codes()) if repaired else before_codes
    evidence = {}
    for code in before_codes:
        still = [finding for finding in best.report.findings if finding.code == code and finding.rank >= 1]
        evidence[code] = "gone" if repaired and not still else (still[0].evidence if still else "not repaired")
    report.before = {"codes": before_codes, **first.score}
    report.after = {"codes": after_codes, **best.score, "evidence": evidence,
                    "improved": bool(repaired and improved(first.score, best.score))}
    report.repairs = log
    report.repaired_report = best.report if repaired else None
    scaled = repaired and (best.preparation.x_mean is not None, best.preparation.y_mean is not None)
    report.repaired_model = fold(best.model, best.preparation) if repaired else None
    if scaled and scaled[0] and best.preparation.x_mean is None:
        report.notes.append(f"The input standardization was folded into the kernel and bias of "
                            f"'{best.model.layers[0].name}': report.repaired_model takes the raw inputs.")
    if scaled and scaled[1] and best.preparation.y_mean is None:
        report.notes.append(f"The target standardization was folded into '{best.model.layers[-1].name}': "
                            "report.repaired_model predicts in the original units.")
    report.preparation = best.preparation if repaired else None
    if repaired and not report.after["improved"]:
        report.notes.append("The repaired set-up did not score better on validation than the original.")
    if repaired and best.preparation.x_fill is not None:
        report.notes.append("The repaired model expects imputed inputs: pass report.preparation.inputs(x), which "
                            "replaces NaN/Inf by the training mean of each feature.")
    if repaired and best.preparation.x_mean is not None:
        report.notes.append("The repaired model expects standardized inputs (report.preparation.inputs(x)): "
                            "its first layer is not Dense, so the scaling could not be folded into it.")
    return report


def fold(model, preparation):
    """Fold input/target standardization into the first/last Dense layer, in place; returns the model."""
    layers = [layer for layer in model.layers if layer.params]
    first_is_dense = bool(layers) and isinstance(layers[0], Dense) and model.layers[0] is layers[0]
    if preparation.x_mean is not None and first_is_dense:
        dense = layers[0]
        kernel, mean, std = dense.params["kernel"], preparation.x_mean, preparation.x_std
        # W' = W / std (row-wise), b' = b - (mean / std) W: the same map on raw inputs
        shift = (mean / std) @ kernel
        kernel[...] = kernel / std[:, None]
        if "bias" in dense.params:
            dense.params["bias"][...] = dense.params["bias"] - shift
        preparation.x_mean = preparation.x_std = None
    if preparation.y_mean is not None and layers and isinstance(layers[-1], Dense) and getattr(
            layers[-1].activation, "name", None) == "linear" and model.layers[-1] is layers[-1]:
        dense = layers[-1]
        # y = (x W + b) std + mean  =>  W' = W std, b' = b std + mean
        dense.params["kernel"][...] = dense.params["kernel"] * np.asarray(preparation.y_std)
        if "bias" in dense.params:
            dense.params["bias"][...] = dense.params["bias"] * preparation.y_std + preparation.y_mean
        preparation.y_mean = preparation.y_std = None
    return model
