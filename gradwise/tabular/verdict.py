"""Is the network worth it? The final model against the best baseline, on the same folds, before any test row.

The comparison table shows every model's cross-validated score and spread; this says in one line
what they mean for the best baseline. The difference is paired: fold by fold, the network's score
minus the baseline's on the same validation rows, so that a hard fold (a few very expensive houses)
lowers both and cancels out. Its standard error is the spread of those per-fold differences over
sqrt(folds). Beyond ``WITHIN`` standard errors the network is ahead or behind; within them the two
are level, as the search's own standard-error rule (``ensemble``) reads a near-tie.

The test rows are not used: they are one draw of a few dozen to a few thousand rows, shown in the
table for what they are, and a verdict taken from them would be the noisier one. A table scored on
one validation split (``search.CV_BELOW_ROWS`` rows or more) has no spread over folds to weigh the
difference by; the line then gives the difference alone and says so. A first trial cut by the time budget
finished its first folds only: the baseline is then read on those folds (a budget of 8 s on a 47-row
table had compared the network's first fold, R² 0.50, with the baseline's mean over five, 0.07).
"""

import numpy as np

WITHIN = 2.0  # standard errors of the paired difference within which the network and the baseline are level


def verdict(table):
    """{"baseline", "metric", "network", "score", "difference", "standard_error", "folds", "paired", "standing"},
    or None without a baseline.

    `table`: the comparison table's entries, the network first, then the baselines that finished,
    each with "cv" = {"metric", "mean", "folds": [score of each validation fold]}. Standing is
    "ahead", "level" or "behind"; standard_error is None for a single split.
    """
    network, baselines = table[0], table[1:]
    if not baselines:
        return None
    best = max(baselines, key=lambda entry: entry["cv"]["mean"])
    ours, theirs = list(network["cv"].get("folds", [])), list(best["cv"].get("folds", []))
    # a first trial cut by the time budget finished the first folds only (``search``): the baseline on those
    cut_from = len(theirs) if 0 < len(ours) < len(theirs) else None
    theirs = theirs[: len(ours)] if cut_from else theirs
    score = float(np.mean(theirs)) if cut_from else float(best["cv"]["mean"])
    difference = float(network["cv"]["mean"] - score)
    error, paired = None, len(ours) == len(theirs) and len(ours) > 1  # paired: the same folds, in the same order
    if paired:
        per_fold = np.subtract(ours, theirs)
        difference = float(per_fold.mean())
        error = float(per_fold.std(ddof=1) / np.sqrt(len(per_fold)))
    if error is not None and abs(difference) <= WITHIN * error:
        standing = "level"
    else:
        standing = "ahead" if difference > 0 else "behind" if difference < 0 else "level"
    return {"baseline": best["name"], "metric": network["cv"]["metric"], "network": float(network["cv"]["mean"]),
            "score": score, "difference": difference, "standard_error": error,
            "folds": len(ours), "paired": paired, "standing": standing, "cut_from": cut_from}


def verdict_line(facts):
    """The line ``gradwise tune`` prints under the comparison table for `facts` (``verdict``'s dict)."""
    if facts is None:
        return None
    name, metric = facts["baseline"], facts["metric"]
    head = (f"Is the network worth it? Cross-validated {metric} {facts['network']:.4f} against {name}'s "
            f"{facts['score']:.4f}, the best baseline: {facts['difference']:+.4f}")
    cut_from = facts.get("cut_from")
    if facts["standard_error"] is None:
        standing = "level" if facts["standing"] == "level" else f"the network is {facts['standing']}"
        where = (f"the first of the {cut_from} folds, the only one the time budget let the network finish" if cut_from
                 else "the one validation split")
        return f"{head} on {where} (no spread over folds to weigh it by): {standing}."
    kind = "paired over the same" if facts["paired"] else "over the"  # (unpaired: a summary before the 35th session)
    head += f" (standard error {facts['standard_error']:.4f}, {kind} {facts['folds']} folds"
    head += f" of {cut_from}, all the time budget let the network finish)" if cut_from else ")"
    if facts["standing"] == "ahead":
        return f"{head}: the network is ahead, by more than {WITHIN:g} standard errors."
    if facts["standing"] == "behind":
        return (f"{head}: the network is behind, by more than {WITHIN:g} standard errors; on this table {name} is "
                "the better model.")
    return f"{head}: level, within {WITHIN:g} standard errors."
