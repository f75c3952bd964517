"""Networks with no hidden layer, solved exactly instead of trained by gradient steps.

A network that is one Dense layer with an L2 penalty on its kernel, trained on a mean loss, is
a convex problem with one optimum:

- sigmoid + binary cross-entropy: logistic regression,
- softmax + sparse categorical cross-entropy: multinomial (softmax) regression,
- linear + mean squared error: ridge regression.

Trained by AdamW for a number of epochs chosen by early stopping on set-aside rows, the same
network stops short of that optimum, and on a small table the shortfall is the whole
difference between "the network" and scikit-learn's LogisticRegression (measured in
``bench/tabular``: on pima and wine the search's own CV put its linear trials below the
LogisticRegression baseline fitted on the same folds). So the search hands these networks to
scikit-learn's solvers (lbfgs or newton-cholesky for the logistic losses, ``logistic_fit``; the
closed form for ridge) on every row the fold trains on, with the penalty translated exactly, and
writes the optimum into the Dense layer: the result is still a gradwise network (same file, same
predict, same doctor), only fitted to convergence. Per row, the network minimizes

    mean(loss) + l2 * ||W||^2

which is scikit-learn's ``C * sum(loss) + ||W||^2 / 2`` with ``C = 1 / (2 * rows * l2)``
for the logistic losses and ``||y - XW||^2 + alpha * ||W||^2`` with ``alpha = rows * l2``
for ridge. The bias is not penalized, in either.

Preprocessing layers before the Dense layer (the search's ``PiecewiseLinearEncoding`` of the
numbers) are fixed maps of the inputs, not trained: the solver fits the Dense layer on their
outputs, so an encoded linear network is solved exactly too.
"""

import time
import warnings

import numpy as np

from ..layers import Dense
from ..layers.preprocessing import PreprocessingLayer
from ..regularizers import L1L2

_HEADS = {  # activation name -> the loss class name that makes the problem convex and its solver
    "sigmoid": "BinaryCrossentropy",
    "softmax": "SparseCategoricalCrossentropy",
    "linear": "MeanSquaredError",
}
MAX_ITER = 5000
TOLERANCE = 1e-6  # lbfgs's gradient tolerance: a stationary point to float32's precision
UNPENALIZED_C = 1e12  # no L2 penalty: scikit-learn's C that makes its own negligible
QUICK_ITER = 50  # lbfgs's steps before a fit that has not converged is handed to newton-cholesky
NEWTON_WIDTH = 2048  # newton-cholesky's Hessian is this wide at most: its memory and each step's cost grow as its square


def solvable(model):
    """True when `model` is one Dense layer (L2 or no penalty) whose activation and loss form a convex problem,
    after nothing but preprocessing layers."""
    layers = list(getattr(model, "layers", []))
    if not layers or type(layers[-1]) is not Dense or not layers[-1].use_bias:
        return False
    if not all(isinstance(layer, PreprocessingLayer) for layer in layers[:-1]):  # fixed maps, never trained
        return False
    dense = layers[-1]
    penalty = dense.kernel_regularizer
    if penalty is not None and not (isinstance(penalty, L1L2) and not penalty.l1):
        return False
    if dense.bias_regularizer is not None or dense.activity_regularizer is not None:
        return False
    name = getattr(dense.activation, "name", None)
    loss = type(getattr(model, "loss", None)).__name__
    if _HEADS.get(name) != loss or getattr(model.loss, "label_smoothing", 0.0):
        return False
    return name != "sigmoid" or dense.units == 1


def plain(model):
    """True when `model` is a ``solvable`` Dense layer on its inputs as they come, with no encoding before it: the
    simplest model of the search, which its final choice falls back to (``ensemble.choose``)."""
    return solvable(model) and len(model.layers) == 1


def one_curve(model):
    """True when `model` is a ``solvable`` Dense layer on a ``PiecewiseLinearEncoding`` of one column (with any
    0/1 or one-hot columns passed through): a penalized spline of a table whose numbers are one curve
    (``space.number_bins``). There it is the final choice's fallback beside the ``plain`` model, since a straight
    line is rarely the right shape of a series' curve (see ``ensemble``)."""
    from ..layers import PiecewiseLinearEncoding

    layers = list(getattr(model, "layers", []))
    return (solvable(model) and len(layers) == 2 and isinstance(layers[0], PiecewiseLinearEncoding)
            and layers[0].columns is not None and len(layers[0].columns) == 1)


def solve(model, x, y, deadline=None):
    """Set the Dense layer of a ``solvable`` model to the optimum of its penalized loss on (x, y); returns the model.

    `deadline` (wall-clock seconds, None: none) bounds a logistic fit's steps (``logistic_fit``)."""
    if not solvable(model):
        raise ValueError("solve: `model` must be one Dense layer with an L2 (or no) kernel penalty and a sigmoid + "
                         "binary cross-entropy, softmax + sparse categorical cross-entropy or linear + mean squared "
                         f"error head, got {model!r}.")
    from sklearn.linear_model import Ridge

    *preprocessing, dense = model.layers
    for layer in preprocessing:  # fixed maps of the inputs: the Dense layer is solved on what they give it
        x = layer(x)
    x = np.asarray(x, dtype=np.float64)
    rows = len(x)
    l2 = dense.kernel_regularizer.l2 if dense.kernel_regularizer is not None else 0.0
    kernel, bias = (np.asarray(w) for w in dense.get_weights())
    name = dense.activation.name
    if name == "linear":
        targets = np.asarray(y, dtype=np.float64).reshape(rows, -1)
        fitted = Ridge(alpha=rows * l2).fit(x, targets)
        kernel, bias = fitted.coef_.T.reshape(kernel.shape), fitted.intercept_.reshape(bias.shape)
    else:
        labels = np.asarray(y).reshape(rows, -1)[:, 0].astype(np.int64)
        inverse = 1.0 / (2.0 * rows * l2) if l2 > 0 else UNPENALIZED_C
        present = np.unique(labels)
        if len(present) == 1:  # one class in these rows (scikit-learn refuses to fit): the bias alone says so, firmly
            kernel = np.zeros(kernel.shape)
            if name == "sigmoid":
                bias = np.full(bias.shape, 20.0 if present[0] == 1 else -20.0)
            else:
                bias = np.full(bias.shape, -20.0)
                bias[present] = 0.0
        else:
            fitted = logistic_fit(x, labels, inverse, deadline)
            coef, intercept = fitted.coef_, fitted.intercept_
            if name == "sigmoid":
                kernel, bias = coef.T.reshape(kernel.shape), intercept.reshape(bias.shape)
            else:
                if len(present) == 2:  # scikit-learn's binary form: one logit; as softmax, +-half of it per class
                    coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
                kernel, bias = np.zeros(kernel.shape), np.full(bias.shape, -20.0)  # classes absent from these rows
                kernel[:, present], bias[present] = coef.T, intercept
    dtype = dense.get_weights()[0].dtype
    dense.set_weights([kernel.astype(dtype), bias.astype(dtype)])
    return model


def logistic_fit(x, labels, inverse, deadline=None):
    """scikit-learn's LogisticRegression(C=`inverse`) fitted to its optimum on (x, labels).

    lbfgs first: on standardized numbers and one-hot columns it mostly converges in a few dozen steps.
    Where it has not in ``QUICK_ITER``, the inputs are ill-conditioned (the ramps of a piecewise-linear
    encoding are nearly collinear), and newton-cholesky, whose steps use the Hessian, finishes in a
    handful. Measured on the search's start models (``solve`` on the training rows of seed 0), lbfgs
    alone to newton after 50 steps: Ecdat's Earnings with a knot per row 12.5 s (950 lbfgs steps) ->
    1.3 s, HI's 17,817 rows on the finer encoding 9.3 s -> 1.0 s, Car's six classes on the 8-bin
    encoding 23.6 s -> 2.6 s, Chile's four 7.5 s -> 1.1 s, all at the same optimum (weights within
    0.01); the price, digits' plain model (ten classes, lbfgs needing more than 50 steps) 0.03 s -> 0.8 s.
    Newton's Hessian is (inputs + 1) * (classes - 1) wide: past ``NEWTON_WIDTH`` lbfgs goes on from
    where it stopped instead.

    Those further lbfgs steps stop at `deadline` (wall-clock seconds), at the pace of the first ones, as a
    network's epochs stop at the time budget: Wooldridge's census2000 (23,600 training rows, 581 area codes,
    seven classes) took 653 steps and 17.7 s, when the whole run had 8 s. The fit then ends where its steps
    reached, short of the optimum. With a deadline, newton is taken only where a step of it, estimated as
    that many lbfgs steps as its Hessian is wide (a Hessian costs about a gradient per column of it), fits in
    the time left; its steps then stop at the deadline too (``_newton``).
    """
    from sklearn.linear_model import LogisticRegression

    began = time.time()
    quick = _quietly(LogisticRegression(C=inverse, tol=TOLERANCE, max_iter=QUICK_ITER), x, labels)
    if np.max(quick.n_iter_) < QUICK_ITER:
        return quick
    pace = (time.time() - began) / QUICK_ITER
    width = (x.shape[1] + 1) * max(1, len(quick.classes_) - 1)
    if width <= NEWTON_WIDTH and (deadline is None or pace * width < deadline - time.time()):
        return _newton(x, labels, inverse, deadline)
    return _go_on(quick, x, labels, MAX_ITER - QUICK_ITER, pace, deadline)


def _newton(x, labels, inverse, deadline=None):
    """newton-cholesky to the optimum; with `deadline`, its steps after the first stop there, at the first's pace.

    A step's Hessian holds a block for each pair of classes: where lbfgs steps cost milliseconds, Gapminder's
    142 countries as classes (1,363 rows, 9 inputs) took 7.3 s of newton steps when the search had 3 s.
    """
    from sklearn.linear_model import LogisticRegression

    newton = LogisticRegression(C=inverse, tol=TOLERANCE, max_iter=MAX_ITER, solver="newton-cholesky")
    if deadline is None:
        return newton.fit(x, labels)
    began = time.time()
    _quietly(newton.set_params(max_iter=1), x, labels)
    return _go_on(newton, x, labels, MAX_ITER - 1, time.time() - began, deadline)


def _quietly(model, x, labels):
    """`model` fitted, its warning that it has not converged (yet) silenced."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, labels)


def _go_on(model, x, labels, most, pace, deadline=None):
    """`model` fitted further from where it stopped (warm-started): `most` steps, or as many as `deadline`
    (wall-clock seconds) leaves at `pace` seconds a step. A fit the deadline cut ends where its steps reached,
    without a warning; with no step left, `model` is returned as it is."""
    steps = most
    if deadline is not None and pace > 0:
        steps = min(most, int((deadline - time.time()) / pace))
    if steps < 1:
        return model
    model.set_params(max_iter=steps, warm_start=True)
    return _quietly(model, x, labels) if steps < most else model.fit(x, labels)
