"""Ways of choosing the final model, compared on the very same searches (no search noise, no load effect).

    python -m bench.tabular.run --tables pima,wine --seeds 0,1,2,3 --keep /tmp/tab --out /tmp/tab.jsonl
    python -m bench.tabular.choices --results /tmp/tab.jsonl --keep /tmp/tab

A `gradwise tune` run keeps the out-of-fold predictions of every complete trial and the fold
networks of the best few. From them this script builds the final model several ways and
scores each on the run's test rows, beside the best scikit-learn default of that split:

- ``tune``: what `gradwise tune` does: ``current``, and on a table whose numbers are one curve ``solved fallback``;
- ``current``: ``ensemble.choose`` over the kept trials and the best plain linear trial, with the
  one-standard-error rule between them: what `gradwise tune` does, but on a one-curve table since the
  twenty-seventh session (there it does ``solved fallback``);
- ``before 1se``: ``ensemble.choose`` over the kept trials without the rule (sessions 5-8);
- ``best``: the best trial alone; ``ensemble``: ensemble selection over the kept trials, always;
- ``+linear``: ``ensemble.choose`` over the kept trials plus every complete linear trial
  (their fold networks solved again: a solved trial is a deterministic function of its
  hyperparameters and its folds);
- ``linear``: the linear trial of lowest CV loss alone (a logistic/ridge regression whose
  penalty was chosen by cross-validation);
- ``all trials``: "best trial", "ensemble of the best few" and "best linear trial" each
  cross-fitted over ALL complete trials (picked on the other folds' out-of-fold rows, scored
  on the fold's), the procedure of lowest nested loss applied to every row. Unlike
  ``ensemble.choose``, whose nested estimate covers the choice among the kept best few only,
  this also charges a trial's luck in ranking first among all trials (tried on branch
  ``tabular-alltrials``, not landed: see BENCHMARKS.md);
- ``1se paired``: the one-standard-error rule with the standard error of the paired per-row loss
  difference between ``before 1se``'s nested outputs and the best linear trial (branch
  ``tabular-1se``) instead of Breiman's fold-wise one;
- ``current, linear 1se``: ``current`` with glmnet's ``lambda.1se`` as the fallback: the most penalized plain
  linear trial whose CV loss is within one standard error (over the folds) of the best plain linear trial's
  (twentieth session: 10 of 74 calibration runs chose otherwise, 3 better and 7 worse; not adopted);
- ``greedy+linear``: Caruana's greedy ensemble selection on the out-of-fold predictions of the
  kept trials plus the best linear trial, always (no nested choice against the best trial).
- ``solved fallback``: ``current`` with the best solved trial of any encoding as the fallback in place of the
  best plain linear one: on a one-curve table, the spline of a knot per row (twenty-seventh session).
- ``default fallback``: ``current`` with the search's first linear trial as the fallback (scikit-learn's default
  penalty, ``space.portfolio``), not the plain linear trial of lowest CV loss; ``default linear``: that trial alone
  (thirtieth session: the fallback is chosen by log loss, small class tables are scored by accuracy).
- ``metric fallback``: ``current`` with the plain linear trial of best cross-validated accuracy (R² for numbers)
  as the fallback, ties to the lower log loss; ``metric linear``: that trial alone (thirty-first session).
  Both fallbacks are proposals for tables not one curve: on a one-curve table they are ``tune``.

Every procedure chooses on out-of-fold predictions only; the test rows score them after the
fact, as in ``diagnose``. Differences between procedures here are differences of choice
alone: the searches are shared.
"""

import argparse
import functools
import json
import os
import tempfile

import numpy as np

from gradwise.tabular import ensemble, linear, prepare, read_csv
from gradwise.tabular.scores import fold_score
from gradwise.tabular.search import TabularTuner, make_folds
from gradwise.tabular.space import default_builder
from gradwise.tuning.hyperparameters import HyperParameters
from gradwise.tuning.runner import _seeded

from .tables import table_file


def _test_outputs(networks, x):
    return np.mean([np.asarray(n.predict(x, verbose=0), dtype=np.float64).reshape(len(x), -1) for n in networks],
                   axis=0)


def _solved_networks(build, trial, folds, x, y):
    values, seed = trial.user_attrs["hp_values"], trial.user_attrs["seed"]
    return [linear.solve(_seeded(build(HyperParameters(values)), seed + fold), x[fit], y[fit])
            for fold, (fit, _) in enumerate(folds)]


def _choose(task, oofs, tests, y, groups, simplest=None):
    choice = ensemble.choose(task, oofs, y, groups, simplest)
    return sum(w * t for w, t in zip(choice.weights, tests) if w > 0), choice


THRESHOLDS = (1.0, 1.5, 2.0, 3.0, float("inf"))  # standard errors, for the rule's replay
PROCEDURES = ("best trial", "best linear trial", "ensemble")  # on equal nested losses the earlier one is taken


def _picks(task, predictions, y, linear, eligible):
    """{procedure: weights over all trials} chosen on these rows among the `eligible` trials."""
    order = [i for i in sorted(range(len(predictions)), key=lambda i: (ensemble.loss(task, predictions[i], y), i))
             if eligible[i]]
    picks = {}
    weights = np.zeros(len(predictions))
    weights[order[0]] = 1.0
    picks["best trial"] = weights
    linears = [i for i in order if linear[i]]
    if linears:
        weights = np.zeros(len(predictions))
        weights[linears[0]] = 1.0
        picks["best linear trial"] = weights
    top = order[: ensemble.CANDIDATES]
    chosen, _, _ = ensemble.select(task, [predictions[i] for i in top], y)
    weights = np.zeros(len(predictions))
    weights[top] = chosen
    picks["ensemble"] = weights
    return picks


def choose_over_all(task, predictions, y, groups, linear, kept):
    """(procedure, weights): each procedure cross-fitted over all trials; the lowest nested loss is applied to
    every row among the `kept` trials (those whose networks exist)."""
    everyone = np.ones(len(predictions), dtype=bool)
    nested = {}
    for label in np.unique(groups):
        inside, outside = groups == label, groups != label
        for name, weights in _picks(task, [p[outside] for p in predictions], y[outside], linear, everyone).items():
            nested.setdefault(name, np.zeros_like(predictions[0]))[inside] = sum(
                w * p[inside] for w, p in zip(weights, predictions) if w > 0)
    losses = {name: ensemble.loss(task, outputs, y) for name, outputs in nested.items()}
    final = _picks(task, predictions, y, linear, kept)
    name = min((n for n in losses if n in final), key=lambda n: (losses[n], PROCEDURES.index(n)))
    return name, final[name]


def ensemble_margin(task, simple, chosen, y):
    """(mean loss of `simple` - mean loss of `chosen`) in standard errors of that paired per-row difference."""
    difference = ensemble.row_losses(task, simple, y) - ensemble.row_losses(task, chosen, y)
    error = difference.std(ddof=1) / np.sqrt(len(difference))
    return float(difference.mean() / error) if error > 0 else float(np.sign(difference.mean()) * np.inf)


def capped_rule(task, simple, chosen, y, groups, share=0.01):
    """(margin, paired t) of the standard-error rule with each row's loss capped at the pooled losses' top `share`.

    On a heavy-tailed target one row's squared error can outweigh a fold's other rows for both models alike: the
    spread over the folds then hides any difference on the rest. Capped, such rows count the same for both."""
    simple_rows, chosen_rows = ensemble.row_losses(task, simple, y), ensemble.row_losses(task, chosen, y)
    cap = np.quantile(np.concatenate([simple_rows, chosen_rows]), 1 - share)
    simple_rows, chosen_rows = np.minimum(simple_rows, cap), np.minimum(chosen_rows, cap)
    labels = np.unique(groups)
    per_simple = np.array([simple_rows[groups == g].mean() for g in labels])
    per_chosen = np.array([chosen_rows[groups == g].mean() for g in labels])
    error = per_chosen.std(ddof=1) / np.sqrt(len(labels))
    margin = ensemble._in_errors(simple_rows.mean() - chosen_rows.mean(), error)
    differences = per_simple - per_chosen
    paired = ensemble._in_errors(differences.mean(), differences.std(ddof=1) / np.sqrt(len(labels)))
    return margin, paired


def evaluate(record, keep, folder):
    """{procedure: test score} for one benchmark record whose run folder is under `keep` (tables written to `folder`)."""
    path, target, drop = table_file(record["table"], folder)
    seed = record["seed"]
    prepared = prepare(read_csv(path), target, record.get("task"), "median", 0.2, seed=seed, drop=drop)
    task, x, y, xt, yt = prepared.task, prepared.x_train, prepared.y_train, prepared.x_test, prepared.y_test
    folds = make_folds(y, task, seed)
    build = default_builder(prepared)
    tuner = TabularTuner(build, folds, directory=os.path.join(keep, "runs"), project_name=f"{record['table']}-{seed}",
                         seed=seed)
    ranked = tuner.best_trials(10_000)
    kept = [t for t in ranked if tuner.has_networks(t)][: ensemble.CANDIDATES]
    oof = {t.number: tuner.load_oof(t) for t in ranked}
    covered = np.all(np.isfinite(oof[kept[0].number]), axis=1)
    kept = [t for t in kept if np.all(np.isfinite(oof[t.number][covered]))]
    groups = ensemble.groups_of_rows(folds, len(y), covered, seed)[covered]
    tests = {t.number: _test_outputs(tuner.load_networks(t), xt) for t in kept}
    linears = [t for t in ranked if t.user_attrs.get("solved") and len(t.user_attrs.get("fold_losses", [])) == len(folds)]
    # the plain linear trials (no encoding), the fallback before the twenty-seventh session, read from the trials'
    # parameters rather than from their stored "simplest" flag, so that runs of either rule replay alike
    plains = [t for t in linears if t.user_attrs["hp_values"].get("numbers", "standard") != "piecewise"]
    for t in linears:
        if t.number not in tests:
            tests[t.number] = _test_outputs(_solved_networks(build, t, folds, x, y), xt)
    score = functools.partial(fold_score, task, y=yt)
    yc = y[covered]
    out = {}

    def with_fallback(fallback):
        """Test score of ``ensemble.choose`` over the kept trials with `fallback` as the simplest candidate."""
        pool = kept + ([fallback] if fallback not in kept else [])
        mixed, _ = _choose(task, [oof[t.number][covered] for t in pool], [tests[t.number] for t in pool], yc, groups,
                           pool.index(fallback))
        return score(mixed)

    mixed, before = _choose(task, [oof[t.number][covered] for t in kept], [tests[t.number] for t in kept], yc, groups)
    out["before 1se"] = score(mixed)
    pool = kept + ([plains[0]] if plains and plains[0] not in kept else [])  # as ``Reporter._choose``
    simplest = pool.index(plains[0]) if plains else None
    mixed, current = _choose(task, [oof[t.number][covered] for t in pool], [tests[t.number] for t in pool], yc,
                             groups, simplest)
    out["current"] = score(mixed)
    if plains:  # glmnet's lambda.1se: the most penalized plain linear trial within one standard error of the best
        folds_best = np.array(plains[0].user_attrs["fold_losses"])
        within = plains[0].values[0] + folds_best.std(ddof=1) / np.sqrt(len(folds_best))
        penalized = max((t for t in plains if t.values[0] <= within), key=lambda t: t.user_attrs["hp_values"]["l2"],
                        default=plains[0])  # a NaN spread (a cut fold's loss) leaves only the best one
        out["current, linear 1se"] = with_fallback(penalized)
        out["linear 1se"] = score(tests[penalized.number])
        out["l2"], out["l2 1se"] = plains[0].user_attrs["hp_values"]["l2"], penalized.user_attrs["hp_values"]["l2"]
    if plains:  # what the rule weighs, to replay it at other thresholds: margin, and the choice it overrules
        unruled, overruled = _choose(task, [oof[t.number][covered] for t in pool], [tests[t.number] for t in pool],
                                     yc, groups)
        out["margin"] = current.simplest_margin
        out["paired_t"], out["paired_critical"] = current.paired_t, current.paired_critical
        out["row_z"] = ensemble_margin(task, oof[plains[0].number][covered], overruled.nested, yc)
        for share in (0.01, 0.05):
            out[f"capped_{share:g}"] = capped_rule(task, oof[plains[0].number][covered], overruled.nested, yc, groups,
                                                   share)
        out["signed_rank_z"] = ensemble.signed_rank_z(task, oof[plains[0].number][covered], overruled.nested, yc)
        out["linear_oof"], out["unruled_oof"] = (ensemble.loss(task, oof[plains[0].number][covered], yc),
                                                 ensemble.loss(task, overruled.nested, yc))
        out["unruled"] = score(unruled)
        out["linear+unruled"] = score((unruled + tests[plains[0].number]) / 2)
    if linears:  # the fallback as the best solved trial of any encoding: on a one-curve table, its spline
        out["solved fallback"] = with_fallback(linears[0])
    else:
        out["solved fallback"] = out["current"]
    # a one-curve table (a simplest trial encodes its one number, ``linear.one_curve``) falls back to the best linear
    # trial of either encoding, the line or the spline: there tune does "solved fallback", and a fallback proposed
    # for the other tables leaves it so (the thirtieth session's replay had put the plain default line there)
    out["one_curve"] = any(t.user_attrs.get("simplest") and t.user_attrs["hp_values"].get("numbers") == "piecewise"
                           for t in ranked)
    out["tune"] = out["solved fallback"] if out["one_curve"] else out["current"]
    proposed = plains and not out["one_curve"]  # elsewhere both proposals are what tune does
    # the fallback as the start configuration's linear model, scikit-learn's default penalty (C=1 / alpha=1)
    default = min(plains, key=lambda t: t.number) if plains else None  # the portfolio's first (``space.portfolio``)
    out["default fallback"] = with_fallback(default) if proposed else out["tune"]
    out["default linear"] = score(tests[default.number]) if plains else out["current"]
    # the fallback as the plain linear trial of best CV score in the table's own metric (accuracy or R²), ties to the
    # lower loss: the trials are ranked by log loss, a small class table is scored by accuracy
    by_metric = max(plains, key=lambda t: fold_score(task, oof[t.number][covered], yc)) if plains else None
    out["metric fallback"] = with_fallback(by_metric) if proposed else out["tune"]
    out["metric linear"] = score(tests[by_metric.number]) if plains else out["current"]
    out["best"] = score(tests[kept[0].number])
    weights, _, _ = ensemble.select(task, [oof[t.number][covered] for t in kept], yc)
    out["ensemble"] = score(sum(w * tests[t.number] for w, t in zip(weights, kept)))
    pool = kept + [t for t in linears if t not in kept]
    mixed, _ = _choose(task, [oof[t.number][covered] for t in pool], [tests[t.number] for t in pool], yc, groups)
    out["+linear"] = score(mixed)
    out["linear"] = score(tests[plains[0].number]) if plains else float("nan")
    out["linear_trials"] = len(linears)
    usable = [t for t in ranked if np.all(np.isfinite(oof[t.number][covered]))]
    name, weights = choose_over_all(task, [oof[t.number][covered] for t in usable], yc, groups,
                                    [t in linears for t in usable], [t.number in tests for t in usable])
    out["all trials"] = score(sum(w * tests[t.number] for w, t in zip(weights, usable) if w > 0))
    out["chose"] = name
    if plains:
        margin = ensemble_margin(task, oof[plains[0].number][covered], before.nested, yc)
        out["1se paired"] = out["linear"] if margin <= 1.0 else out["before 1se"]
        out["1se paired margin"] = margin
        weights, _, _ = ensemble.select(task, [oof[t.number][covered] for t in pool], yc)
        out["greedy+linear"] = score(sum(w * tests[t.number] for w, t in zip(weights, pool) if w > 0))
    else:
        out["1se paired"] = out["greedy+linear"] = out["before 1se"]
        out["1se paired margin"] = None
    out["reported"] = record["gradwise"]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", required=True, help="the JSON lines of `bench.tabular.run --keep DIR`")
    parser.add_argument("--keep", required=True, help="that run's --keep folder")
    parser.add_argument("--out", help="also write one JSON line per run here")
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in open(args.results) if line.strip()]
    procedures = ["tune", "current", "default fallback", "default linear", "metric fallback", "metric linear",
                  "solved fallback", "before 1se", "best", "ensemble", "+linear", "linear", "all trials", "1se paired",
                  "greedy+linear"]
    gaps, margins = {}, {}
    print("| table | seed | best peer | " + " | ".join(procedures) + " | linear trials | all trials chose |")
    print("|---|---|---:|" + "---:|" * len(procedures) + "---:|---|")
    folder = tempfile.mkdtemp()  # not the run's folder: a benchmark may still be reading its tables
    for record in records:
        result = evaluate(record, args.keep, folder)
        peer = max(record["peers"].values())
        for name in procedures:
            gaps.setdefault(record["table"], {}).setdefault(name, []).append(result[name] - peer)
        if result.get("margin") is not None:
            margins.setdefault(record["table"], []).append((result["margin"], result["linear"], result["unruled"], peer))
        print(f"| {record['table']} | {record['seed']} | {peer:.4f} | "
              + " | ".join(f"{result[name] - peer:+.4f}" for name in procedures) + f" | {result['linear_trials']} | {result['chose']} |",
              flush=True)
        if args.out:
            with open(args.out, "a") as handle:
                handle.write(json.dumps({"table": record["table"], "seed": record["seed"], "peer": peer, **result}) + "\n")
    print("\nMean gap to the best peer per table:\n")
    print("| table | runs | " + " | ".join(procedures) + " |")
    print("|---|---:|" + "---:|" * len(procedures))
    for table, by in gaps.items():
        print(f"| {table} | {len(by['current'])} | " + " | ".join(f"{np.mean(by[n]):+.4f}" for n in procedures) + " |")
    print("| mean over tables | | " + " | ".join(
        f"{np.mean([np.mean(by[n]) for by in gaps.values()]):+.4f}" for n in procedures) + " |")
    print("\nThe one-standard-error rule replayed at other thresholds (the linear trial unless the chosen model's nested "
          "loss beats it by more than k standard errors), mean gap to the best peer:\n")
    print("| table | runs | " + " | ".join(f"k = {k:g}" for k in THRESHOLDS) + " | margins (standard errors) |")
    print("|---|---:|" + "---:|" * len(THRESHOLDS) + "---|")
    for table, runs in margins.items():
        print(f"| {table} | {len(runs)} | " + " | ".join(
            f"{np.mean([(linear if margin <= k else unruled) - peer for margin, linear, unruled, peer in runs]):+.4f}"
            for k in THRESHOLDS) + " | " + ", ".join(f"{m[0]:.1f}" for m in runs) + " |")


if __name__ == "__main__":
    main()
