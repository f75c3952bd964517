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
difference by; the line then gives the difference alone and says so.
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
    difference = float(network["cv"]["mean"] - best["cv"]["mean"])
    error, paired = None, len(ours) == len(theirs) and len(ours) > 1  # paired: the same folds, in the same order
    if paired:
        per_fold = np.subtract(ours, theirs)
        difference = float(per_fold.mean())
        error = float(per_fold.std(ddof=1) / np.sqrt(len(per_fold)))
    elif len(ours) > 1 and len(theirs) > 1:  # a cut trial left folds out: the two means, unpaired
        error = float(np.sqrt(np.var(ours, ddof=1) / len(ours) + np.var(theirs, ddof=1) / len(theirs)))
    if error is not None and abs(difference) <= WITHIN * error:
        standing = "level"
    else:
        standing = "ahead" if difference > 0 else "behind" if difference < 0 else "level"
    return {"baseline": best["name"], "metric": network["cv"]["metric"], "network": float(network["cv"]["mean"]),
            "score": float(best["cv"]["mean"]), "difference": difference, "standard_error": error,
            "folds": len(ours), "paired": paired, "standing": standing}


def verdict_line(facts):
    """The line ``gradwise tune`` prints under the comparison table for `facts` (``verdict``'s dict)."""
    if facts is None:
        return None
    name, metric = facts["baseline"], facts["metric"]
    head = (f"Is the network worth it? Cross-validated {metric} {facts['network']:.4f} against {name}'s "
            f"{facts['score']:.4f}, the best baseline: {facts['difference']:+.4f}")
    if facts["standard_error"] is None:
        standing = "level" if facts["standing"] == "level" else f"the network is {facts['standing']}"
        return f"{head} on the one validation split (no spread over folds to weigh it by): {standing}."
    kind = "paired over the same" if facts["paired"] else "over the"
    head += f" (standard error {facts['standard_error']:.4f}, {kind} {facts['folds']} folds)"
    if facts["standing"] == "ahead":
        return f"{head}: the network is ahead, by more than {WITHIN:g} standard errors."
    if facts["standing"] == "behind":
        return (f"{head}: the network is behind, by more than {WITHIN:g} standard errors; on this table {name} is "
                "the better model.")
    return f"{head}: level, within {WITHIN:g} standard errors."
