"""Real datasets for the fault suite, split once with a fixed seed.

scikit-learn's bundled digits, breast_cancer, iris and diabetes (no download) and the
Pima diabetes table in ../shared/datasets, two generated problems (circles, blobs), and tables
with little signal (``WEAK``: generated, or real ones with labels flipped). Each loader returns (x_train, y_train, x_val,
y_val) as float64; ``scaled`` standardizes the features with training statistics
(digits is divided by 16, its pixel range), ``raw`` keeps the units of the source.
"""

import functools
from pathlib import Path

import numpy as np

PIMA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "pima" / "diabetes.csv"


def _split(x, y, val_fraction=0.25, seed=0, stratify=True):
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=val_fraction, random_state=seed, stratify=y if stratify else None)


def _standardize(x_train, x_val):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (x_train - mean) / std, (x_val - mean) / std


@functools.lru_cache(maxsize=None)
def _raw(name):
    from sklearn import datasets

    if name == "circles":  # two noisy concentric rings: not linearly separable
        x, y = datasets.make_circles(n_samples=600, noise=0.08, factor=0.5, random_state=0)
        return x.astype(np.float64), y
    if name == "blobs":  # three well-separated Gaussian blobs: an easy problem
        x, y = datasets.make_blobs(n_samples=450, centers=3, n_features=4, cluster_std=1.5, random_state=0)
        return x.astype(np.float64), y
    if name == "pima":
        table = np.loadtxt(PIMA, delimiter=",", skiprows=1)
        return table[:, :8], table[:, 8].astype(np.int64)
    if name in WEAK:  # tables with little signal: every model's loss on unseen rows ends near the prior's
        return WEAK[name]()
    loader = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer,
              "iris": datasets.load_iris, "diabetes": datasets.load_diabetes}[name]
    bunch = loader()
    return bunch.data.astype(np.float64), bunch.target


def _weak_binary():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 8))
    return x, (0.25 * x[:, 0] + 0.2 * x[:, 1] * x[:, 2] + rng.normal(size=2000) > 0).astype(np.int64)


def _weak_regression():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1200, 8))
    return x, 0.35 * x[:, 0] + 0.2 * np.tanh(x[:, 1] * x[:, 2]) + rng.normal(size=1200)


def _noisy_cancer():  # breast cancer with 35% of its labels flipped: real features, a weak signal
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    flip = np.random.default_rng(3).random(len(y)) < 0.35
    return x.astype(np.float64), np.where(flip, 1 - y, y)


def _noisy_digits():  # digits with 70% of its labels drawn at random
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(4)
    return x.astype(np.float64), np.where(rng.random(len(y)) < 0.7, rng.integers(0, 10, len(y)), y)


def _rare_positives():  # 12% positives, a weak signal: the argmax stays on the majority, the probabilities move
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1500, 10))
    score = 0.5 * x[:, 0] - 0.3 * x[:, 3] + rng.normal(size=1500)
    return x, (score > np.quantile(score, 0.88)).astype(np.int64)


# calibration (weak_binary, weak_regression) and the third round's held-out tables (the others)
WEAK = {"weak_binary": _weak_binary, "weak_regression": _weak_regression, "noisy_cancer": _noisy_cancer,
        "noisy_digits": _noisy_digits, "rare_positives": _rare_positives}
REGRESSION_DATA = ("diabetes", "weak_regression")


def load(name, scaling="scaled", train_size=None, seed=0):
    """(x_train, y_train, x_val, y_val) of dataset `name`.

    Parameters
    ----------
    name : {'digits', 'breast_cancer', 'iris', 'pima', 'diabetes', 'circles', 'blobs'} or one of ``WEAK``
    scaling : {'scaled', 'raw', 'negative'}
        'negative': scaled, then shifted to negative means (digits: pixels / 16 - 1, in [-1, 0];
        the others: standardized, minus 1, clipped at 0).
    train_size : int, optional
        Keep only this many training rows (stratified), for overfitting set-ups.
    """
    x, y = _raw(name)
    regression = name in REGRESSION_DATA
    x_train, x_val, y_train, y_val = _split(x, y, seed=seed, stratify=not regression)
    if train_size is not None and train_size < len(x_train):
        x_train, _, y_train, _ = _split(x_train, y_train, val_fraction=len(x_train) - train_size, seed=seed,
                                        stratify=not regression)
    if scaling in ("scaled", "negative"):
        if name == "digits":
            x_train, x_val = x_train / 16.0, x_val / 16.0
        else:
            x_train, x_val = _standardize(x_train, x_val)
        if scaling == "negative":
            if name == "digits":
                x_train, x_val = x_train - 1.0, x_val - 1.0
            else:
                x_train, x_val = np.minimum(x_train - 1.0, 0.0), np.minimum(x_val - 1.0, 0.0)
    elif scaling != "raw":
        raise ValueError(f"load: `scaling` must be 'scaled', 'negative' or 'raw', got {scaling!r}.")
    if regression:
        y_train, y_val = y_train.astype(np.float64), y_val.astype(np.float64)
    return x_train, y_train, x_val, y_val
