"""The default search space of ``gradwise tune``, and the configurations it tries first.

The space contains the strong simple models: with ``layers=0`` the network is one Dense
layer on the standardized inputs with an L2 penalty, i.e. logistic regression (softmax
regression) or ridge regression. With 1-3 hidden layers it is an MLP of one width
(16-512 units, log scale) with an activation, dropout and optional batch normalization, and
an L1 penalty on its first layer's kernel (``input_l1``) beside the L2 penalty on every kernel.
Why L1 on the inputs: an MLP is not robust to uninformative columns (Grinsztajn et al., 2022,
"Why do tree-based models still outperform deep learning on tabular data?"), and L2 shrinks
every input's weights alike where L1 drives those of useless columns to zero. Measured on a
generated table of two informative and eight noise columns (``moons`` in ``bench/tabular``,
seed 0, one fold): 64 x 2 ReLU units reached a validation log loss of 0.397 with the best of
six L2/dropout settings and 0.323 with ``input_l1=1e-2`` (HistGradientBoosting 0.340).
Whole ``gradwise tune`` runs (BENCHMARKS.md, fifteenth session, three seeds; gap to the best
scikit-learn default): moons -0.081 -> -0.017, and on tables written after this choice XOR among
noise columns -0.060 -> -0.004, a sparse nonlinear regression -0.17 -> +0.026 R², Hastie's sphere
(no noise column) unchanged; the eight earlier tables within one test row of before.
Every network is trained by AdamW: a learning rate, decoupled weight decay, and an L2
penalty on the kernels. The output layer and loss follow the task. A network with no hidden
layer is convex, and the search solves it exactly (``linear``) instead of training it, so
its learning rate and weight decay would be dead dimensions of the search: they are not
sampled; it gets ``LINEAR_OPTIMIZER`` (no weight decay, so that training it further keeps
the penalized optimum it was solved for).

Each number may enter as it comes (standardized) or piecewise-linearly encoded (``numbers``:
"piecewise", ``PiecewiseLinearEncoding`` in ``NUMBER_BINS`` quantile bins; Gorishniy et al., 2022,
"On Embeddings for Numerical Features in Tabular Deep Learning"). A Dense layer on the encoding
gives each bin its own slope: the linear model becomes a piecewise-linear curve per column (an
additive model, still solved exactly), and an MLP no longer has to build a column's steps and
bends out of ReLUs. Measured before it entered the space (a probe of fixed configurations,
5-fold CV on the training rows of two seeds, LogisticRegression/Ridge at C=1 on the encoding): fgl
0.637/0.607 -> 0.748/0.743, prostitutes R² 0.879/0.883 -> 0.988/0.986, a sparse nonlinear
regression 0.109/0.105 -> 0.942/0.943, moons 0.821/0.824 -> 0.879/0.883; and lower on pima
0.769/0.775 -> 0.753/0.749 and diabetes R² 0.527/0.505 -> 0.499/0.423, where the plain linear
model stays the search's first trial. 8 bins or 16 scored within 0.01 of each other; the encoding
replacing each number or added beside it, likewise.

The linear model on the encoding may also take ``FINE_BINS`` (64) bins per column, where a table
has few enough numbers that their encoding stays within ``FINE_WIDTH`` inputs and half the training
rows, with at least 16 bins a column (``fine_bins``).
Why: a yearly series whose year is its one feature (R's lynx, sunspots, Lake Huron), split at random,
is a curve that turns every few years; eight bins over a century draw it as a few straight pieces.
Ridge on the encoding (5-fold CV on the training rows, seed 0) went from 0.48 with 8 bins to 0.74
with 64 on Lake Huron (RandomForest 0.75), and from -0.04 to 0.36 on lynx (RandomForest 0.43).
Solved exactly, the finer model costs one more start configuration; a network keeps 8 bins.

Where a table's numbers are one curve (a single column of more than two values: a series' clock, an
income), the finer encoding puts a knot at every training row, up to ``CURVE_BINS`` (1024), and the
half-the-rows bound does not apply. The linear model on it is then a smoothing spline (Hastie,
Tibshirani and Friedman, *The Elements of Statistical Learning*, 5.4: a knot at every distinct value,
the penalty alone setting how stiff the curve is), and the search's L2 is that penalty. Ridge with
its penalty chosen by cross-validation on the encoding (``bench/tabular/probe_curve_bins.py``, test
R², seeds 0-2): lynx 0.77 / 0.54 / 0.48 at 45 bins, 0.86 / 0.80 / 0.92 with a knot per row
(RandomForest 0.75 / 0.67 / 0.71); yearly sunspots 0.55 / 0.46 / 0.73 at 64 bins, 0.79 / 0.86 / 0.82
at 231 (forest 0.69 / 0.77 / 0.81); Engel's food spending within 0.015 at any count. In whole runs
(BENCHMARKS.md, twenty-sixth session) the mean gap to the best scikit-learn default went from -0.147
to -0.078 on 13 one-curve tables, and from -0.043 to +0.012 on nine series held out.

The bound was 256 until the twenty-eighth session. A monthly series of 90 years (boot's manaus, 864
training rows) then had a knot every four months, too few for its wiggles: whole runs went from
R² 0.631 to 0.793 with 1,024 (RandomForest 0.752, seeds 0-2), sunspot.month from 0.873 to 0.889. A
class target keeps 256 (``CURVE_BINS_CLASSES``): its logistic fit is iterative, and lbfgs on a knot
per row is slow (Ecdat's Earnings, 2,730 rows, three classes: 10 s a fit at 256 knots, 40 s at 1,024,
and the run overran its 45 s budget by a third), where ridge's closed form takes a fraction of a second.
That was measured before ``linear.logistic_fit`` handed such fits to newton-cholesky (Earnings' fit at
256 knots: 12.5 s -> 1.3 s); more knots for classes have not been tried since.

``PORTFOLIO`` holds the configurations the search runs first, before the sampler takes
over — well-performing defaults across tables, as AutoGluon's and FLAML's start points
are: a regularized linear model, a wide shallow net, a deeper regularized one, one whose
inputs are L1-penalized.
"""

import functools

import numpy as np

from .. import optimizers
from ..layers import Activation, BatchNormalization, Dense, Dropout, Input, PiecewiseLinearEncoding
from ..models import Sequential
from ..regularizers import L1L2, L2

ACTIVATIONS = ["relu", "elu", "gelu"]
NUMBER_ENCODINGS = ["standard", "piecewise"]
NUMBER_BINS = 8
FINE_BINS = 64  # the additive model's finer encoding: a curve that wiggles along its column (a series' clock)
CURVE_BINS = 1024  # the finer encoding's bins where only one column has more than two values: a spline
CURVE_BINS_CLASSES = 256  # the same for classes, whose logistic fit is iterative (lbfgs), not ridge's closed form
FINE_WIDTH = 512  # at most this many encoded inputs in the finer encoding (and half the rows): wide tables get none
TELLING = ("layers", "units", "activation", "dropout", "batch_norm", "l2", "input_l1", "weight_decay",
           "learning_rate", "numbers", "fine_bins")
OFF = 1e-6  # the lowest penalty of the space: a start configuration's way of saying "no input L1"
PORTFOLIO = [
    {"layers": 0, "l2": 1e-3},  # l2 replaced by portfolio(rows)
    {"layers": 1, "units": 128, "activation": "relu", "dropout": 0.1, "batch_norm": False, "l2": 1e-5,
     "input_l1": OFF, "weight_decay": 1e-4, "learning_rate": 3e-3},
    {"layers": 2, "units": 256, "activation": "relu", "dropout": 0.3, "batch_norm": True, "l2": 1e-5,
     "input_l1": OFF, "weight_decay": 1e-3, "learning_rate": 1e-3},
    {"layers": 2, "units": 64, "activation": "relu", "dropout": 0.0, "batch_norm": False, "l2": 1e-4,
     "input_l1": 1e-2, "weight_decay": 1e-4, "learning_rate": 3e-3},  # sparse inputs: noise columns pruned
    {"layers": 2, "units": 64, "activation": "elu", "dropout": 0.0, "batch_norm": False, "l2": 1e-3,
     "input_l1": OFF, "weight_decay": 1e-4, "learning_rate": 3e-3},
    {"layers": 0, "l2": 1e-2},
]
PIECEWISE_PORTFOLIO = [  # tried after PORTFOLIO's first, where the table has numbers to encode
    {"layers": 0, "l2": 1e-3, "numbers": "piecewise"},  # l2 replaced as the first's: an additive model
    {"layers": 2, "units": 64, "activation": "relu", "dropout": 0.1, "batch_norm": False, "l2": 1e-4,
     "input_l1": OFF, "weight_decay": 1e-4, "learning_rate": 3e-3, "numbers": "piecewise"},
    {"layers": 0, "l2": 1e-3, "numbers": "piecewise", "fine_bins": True},  # l2 as the first's: a finer additive model
]
LINEAR_OPTIMIZER = {"learning_rate": 1e-2, "weight_decay": 0.0}


def portfolio(rows, numbers=False, fine=False):
    """PORTFOLIO for a table of `rows` training rows: its linear model first, penalized as scikit-learn's.

    LogisticRegression(C=1) minimizes sum(log loss) + ||w||^2 / 2; per row, as a gradwise loss
    (a mean) plus L2(l2) * ||w||^2, that is l2 = 1 / (2 * rows). With `numbers` (the table has
    numbers to encode, see ``number_bins``), every start names its encoding, and the encoded linear
    model follows the plain one, the encoded MLP comes last. With `fine` (the finer encoding is
    offered), the finely encoded linear model follows the coarse one: solved exactly, it costs little.
    """
    l2 = float(min(1e-1, max(1e-6, 0.5 / max(rows, 1))))
    first = dict(PORTFOLIO[0], l2=l2)
    if not numbers:
        return [first, *PORTFOLIO[1:]]
    standard = [dict(params, numbers="standard") for params in (first, *PORTFOLIO[1:])]
    additive, encoded_mlp, fine_additive = PIECEWISE_PORTFOLIO
    if fine:  # the coarse model names its side of the choice too, so the sampler draws none for it
        additive = dict(additive, fine_bins=False)
    linear = [dict(additive, l2=l2), *([dict(fine_additive, l2=l2)] if fine else [])]
    return [standard[0], *linear, *standard[1:], encoded_mlp]


def number_bins(x, numeric, task="regression"):
    """The ``PiecewiseLinearEncoding`` arguments for the first `numeric` columns of training matrix `x` that take
    more than two values (a 0/1 column has nothing to bend), or None when there is none; `task` bounds a
    one-curve table's knots (``CURVE_BINS`` or ``CURVE_BINS_CLASSES``)."""
    columns = [column for column in range(numeric) if len(np.unique(x[:, column])) > 2]
    if not columns:
        return None
    encoding = PiecewiseLinearEncoding(num_bins=NUMBER_BINS, columns=columns).adapt(x)
    found = {"bin_edges": encoding.bin_edges, "columns": columns}
    if len(columns) == 1:  # one curve: a knot at every training row, its penalty sets how stiff it is
        fine = min(CURVE_BINS if task == "regression" else CURVE_BINS_CLASSES, len(x))
    else:  # no more finely encoded inputs than half the rows: on small tables of several numbers the finer model
        # won its cross-validation by chance (car's Hartnagel, 30 rows and 7 numbers: test R² 0.885 -> 0.766, seed 1)
        fine = min(FINE_BINS, FINE_WIDTH // len(columns), len(x) // (2 * len(columns)))
    if fine >= 2 * NUMBER_BINS:
        found["fine_edges"] = PiecewiseLinearEncoding(num_bins=fine, columns=columns).adapt(x).bin_edges
    return found


def _head(task, classes, l2):
    if task == "binary":
        return Dense(1, activation="sigmoid", kernel_regularizer=L2(l2)), "binary_crossentropy", ["accuracy"]
    if task == "multiclass":
        return (Dense(classes, activation="softmax", kernel_regularizer=L2(l2)), "sparse_categorical_crossentropy",
                ["accuracy"])
    return Dense(1, kernel_regularizer=L2(l2)), "mse", ["mae"]


def build_default_model(hp, features, task, classes=None, numbers=None):
    """A compiled Sequential for `features` inputs and `task` ('binary', 'multiclass', 'regression').

    `numbers`: the encoding's arguments (``number_bins``); with them, the search chooses how numbers enter.
    """
    layers = hp.Int("layers", 0, 3)
    model = Sequential([Input((features,))])
    if numbers is not None and hp.Choice("numbers", NUMBER_ENCODINGS) == "piecewise":
        fine = not layers and "fine_edges" in numbers and hp.Boolean("fine_bins")
        edges = numbers["fine_edges"] if fine else numbers["bin_edges"]
        model.add(PiecewiseLinearEncoding(bin_edges=edges, columns=numbers["columns"]))
    if layers:
        units = hp.Int("units", 16, 512, sampling="log")
        activation = hp.Choice("activation", ACTIVATIONS)
        dropout = hp.Float("dropout", 0.0, 0.5)
        batch_norm = hp.Boolean("batch_norm")
    l2 = hp.Float("l2", 1e-6, 1e-1, sampling="log")
    if layers:
        input_l1 = hp.Float("input_l1", OFF, 1e-1, sampling="log")
    for depth in range(layers):
        penalty = L1L2(l1=input_l1, l2=l2) if depth == 0 else L2(l2)
        if batch_norm:  # normalize the pre-activation, as in the source documents
            model.add(Dense(units, use_bias=False, kernel_initializer="he_uniform", kernel_regularizer=penalty))
            model.add(BatchNormalization())
            model.add(Activation(activation))
        else:
            model.add(Dense(units, activation=activation, kernel_initializer="he_uniform", kernel_regularizer=penalty))
        if dropout > 0:
            model.add(Dropout(dropout))
    output, loss, metrics = _head(task, classes, l2)
    model.add(output)
    if layers:
        optimizer = optimizers.AdamW(learning_rate=hp.Float("learning_rate", 1e-4, 3e-2, sampling="log"),
                                     weight_decay=hp.Float("weight_decay", 1e-6, 1e-1, sampling="log"))
    else:
        optimizer = optimizers.AdamW(**LINEAR_OPTIMIZER)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model


def telling_params(values):
    """The most telling hyperparameters of a trial, in a fixed order."""
    return {key: values[key] for key in TELLING if key in values}


def default_builder(prepared):
    """``build_default_model`` for the table of `prepared` (``data.prepare``): its width, task, classes and the
    encoding of its numbers, fitted on its training rows."""
    classes = len(prepared.classes) if prepared.task == "multiclass" else None
    numbers = number_bins(prepared.x_train, len(prepared.preprocessor.config["numeric"]), prepared.task)
    return functools.partial(build_default_model, features=prepared.x_train.shape[1], task=prepared.task,
                             classes=classes, numbers=numbers)
