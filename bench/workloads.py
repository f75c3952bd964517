"""The workloads of issue 6: architecture, training settings and data, tool-neutral.

A workload's ``layers`` is a tuple of plain tuples that every tool translates into its
own layers:

    ("dense", units, activation)     ("dropout", rate)        ("flatten",)
    ("conv2d", filters, kernel_size, activation)              ("maxpool", pool_size)

Convolutions are 'valid', strides 1, channels last (the torch tool transposes to NCHW).
Kernels are Glorot uniform and biases zero in every tool.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    input_shape: tuple
    layers: tuple
    loss: str  # "binary_crossentropy" (sigmoid output) or "sparse_categorical_crossentropy" (softmax)
    optimizer: str  # "adam" or "sgd"
    learning_rate: float
    batch_size: int
    epochs: int  # timed epochs, after one untimed warm-up epoch
    repeats: int  # fresh model each repeat
    tools: tuple
    quick_epochs: int = 1
    quick_repeats: int = 1
    quick_samples: int = None  # train on this many samples in quick mode (None: all)
    accuracy_on: str = "test"  # "test", or "train" where labels are random (W5)
    note: str = ""
    unavailable: str = ""  # set when the harness does not run the workload itself
    extra: dict = field(default_factory=dict)


PEERS = ("gradwise", "torch", "torch-fused", "keras-torch", "keras-jax")
SMALL = ("dense", 64, "relu"), ("dense", 10, "softmax")

WORKLOADS = {
    "w1": Workload(
        "w1", "W1 Pima", (8,), (("dense", 32, "relu"), ("dense", 1, "sigmoid")),
        "binary_crossentropy", "adam", 1e-3, 32, 100, 3, PEERS + ("sklearn", "tutorial"),
        quick_epochs=5),
    "w2": Workload(
        "w2", "W2 digits", (64,), SMALL, "sparse_categorical_crossentropy", "adam", 1e-3, 32, 50, 3,
        PEERS + ("sklearn", "tutorial"), quick_epochs=3),
    "w3": Workload(
        "w3", "W3 MNIST MLP", (784,),
        (("dense", 512, "relu"), ("dropout", 0.2), ("dense", 512, "relu"), ("dropout", 0.2),
         ("dense", 10, "softmax")),
        "sparse_categorical_crossentropy", "adam", 1e-3, 128, 3, 3, PEERS + ("sklearn",),
        quick_samples=4096, note="scikit-learn's MLPClassifier has no dropout: it trains without it."),
    "w4": Workload(
        "w4", "W4 MNIST convnet", (28, 28, 1),
        (("conv2d", 32, 3, "relu"), ("maxpool", 2), ("conv2d", 64, 3, "relu"), ("maxpool", 2),
         ("flatten",), ("dropout", 0.5), ("dense", 10, "softmax")),
        "sparse_categorical_crossentropy", "adam", 1e-3, 128, 1, 2, PEERS, quick_samples=1024),
    "w5": Workload(
        "w5", "W5 wide MLP throughput", (1024,),
        (("dense", 2048, "relu"), ("dense", 2048, "relu"), ("dense", 10, "softmax")),
        "sparse_categorical_crossentropy", "sgd", 1e-2, 512, 5, 3, PEERS, quick_samples=1024,
        accuracy_on="train", note="Random inputs and labels: accuracy is on the training set, near chance."),
    "w6": Workload(
        "w6", "W6 search", (8,), (), "binary_crossentropy", "adam", 1e-3, 32, 30, 1, (),
        unavailable="measured by its own command, `python -m bench.w6_search` (a search runs several "
                    "processes and needs Optuna): see BENCHMARKS.md, section W6."),
}


def _split(x, y, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(x))
    cut = len(x) - int(round(test_fraction * len(x)))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def _pima():
    table = np.loadtxt(DATASETS / "pima" / "diabetes.csv", delimiter=",", skiprows=1)
    x_train, y_train, x_test, y_test = _split(table[:, :8], table[:, 8:9])
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, y_train, (x_test - mean) / std, y_test


def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    return _split(digits.data / 16.0, digits.target)


def _mnist(shape):
    with np.load(DATASETS / "mnist" / "mnist.npz") as arrays:
        x_train, y_train = arrays["x_train"], arrays["y_train"]
        x_test, y_test = arrays["x_test"], arrays["y_test"]
    prepare = lambda x: (x.reshape((len(x),) + shape) / np.float32(255)).astype(np.float32)
    return prepare(x_train), y_train, prepare(x_test), y_test


def _random_wide():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8192, 1024), dtype=np.float32)
    y = rng.integers(0, 10, size=8192)
    return x, y, x, y


def load(workload, quick=False):
    """Train and test arrays: float32 features, int64 labels (float32 (n, 1) for binary)."""
    loaders = {"w1": _pima, "w2": _digits, "w3": lambda: _mnist((784,)),
               "w4": lambda: _mnist((28, 28, 1)), "w5": _random_wide}
    x_train, y_train, x_test, y_test = loaders[workload.key]()
    if quick and workload.quick_samples:
        x_train, y_train = x_train[:workload.quick_samples], y_train[:workload.quick_samples]
        x_test, y_test = x_test[:2 * workload.quick_samples], y_test[:2 * workload.quick_samples]
    label_type = np.float32 if workload.loss == "binary_crossentropy" else np.int64
    return {
        "x_train": np.ascontiguousarray(x_train, dtype=np.float32), "y_train": y_train.astype(label_type),
        "x_test": np.ascontiguousarray(x_test, dtype=np.float32), "y_test": y_test.astype(label_type),
    }
