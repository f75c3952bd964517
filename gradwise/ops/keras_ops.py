"""Keras's ``keras.ops`` math for code that ports unchanged, computed eagerly with NumPy:
``gradwise.ops.sigmoid(predictions)``, ``gradwise.ops.mean(x, axis=0)``,
``gradwise.ops.convert_to_numpy(t)``.

These run on arrays outside a model (post-processing, metrics by hand); they have no
derivative, so a layer of one's own still writes ``forward`` and ``backward``. The names
are read from ``gradwise.ops`` (whose own names are the array seam's) by its ``__getattr__``.
"""

import numpy as np

from .. import activations

# Keras ops that are NumPy's function of the same name and arguments
NUMPY_NAMES = frozenset("""
abs absolute add all any append arange arccos arcsin arctan arctan2 argmax argmin argsort array average bincount
broadcast_to ceil clip concatenate copy cos cosh count_nonzero cross cumprod cumsum diag diagonal diff divide dot
einsum empty equal exp expand_dims expm1 eye flip floor floor_divide full full_like greater greater_equal hstack
identity imag isclose isfinite isinf isnan less less_equal linspace log log10 log1p log2 logaddexp logical_and
logical_not logical_or logical_xor matmul max maximum mean median meshgrid min minimum mod moveaxis multiply
negative nonzero not_equal ones ones_like outer pad power prod quantile ravel real reciprocal repeat reshape roll
round sign sin sinh sort split sqrt square squeeze stack std subtract sum swapaxes take take_along_axis tan tanh
tensordot tile trace transpose tril triu true_divide var vdot vstack where zeros zeros_like
""".split())


def convert_to_numpy(x):
    """`x` as a NumPy array."""
    return np.asarray(x)


def convert_to_tensor(x, dtype=None):
    """`x` as an array (gradwise's tensors are NumPy arrays), in `dtype` when given."""
    return np.asarray(x, dtype=dtype)


def cast(x, dtype):
    return np.asarray(x).astype(dtype)


def shape(x):
    return np.shape(x)


def norm(x, ord=None, axis=None, keepdims=False):
    return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def logsumexp(x, axis=None, keepdims=False):
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    top = np.max(x, axis=axis, keepdims=True)
    summed = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return summed if keepdims else np.squeeze(summed, axis=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    """Keras's ``ops.one_hot``: a new axis of `num_classes` (at `axis`), 1 at each index."""
    indices = np.asarray(x, dtype=np.int64)
    encoded = (indices[..., None] == np.arange(num_classes)).astype(dtype)
    return np.moveaxis(encoded, -1, axis)


def top_k(x, k, sorted=True):
    """(values, indices) of the `k` largest entries along the last axis, largest first."""
    x = np.asarray(x)
    indices = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, indices, axis=-1), indices


def in_top_k(targets, predictions, k):
    """Whether each target index is among the `k` largest predictions of its row."""
    _, indices = top_k(predictions, k)
    return (indices == np.asarray(targets)[:, None]).any(axis=-1)


def _activation(name):
    def apply(x, **kwargs):
        return activations.get({"name": name, **kwargs})(np.asarray(x))

    apply.__name__ = name
    apply.__doc__ = f"Keras's ``ops.{name}``: gradwise's '{name}' activation applied to `x`."
    return apply


# Keras ops that are an activation's forward (``ops.softmax(x, axis=-1)``)
ACTIVATION_NAMES = ("sigmoid", "softmax", "log_softmax", "relu", "relu6", "silu", "swish", "gelu", "softplus",
                    "softsign", "elu", "selu", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "celu",
                    "log_sigmoid", "mish", "squareplus", "sparse_plus", "tanh_shrink", "soft_shrink", "hard_tanh")
_OWN = {function.__name__: function for function in (convert_to_numpy, convert_to_tensor, cast, shape, norm,
                                                     logsumexp, one_hot, top_k, in_top_k)}


def lookup(name):
    """The Keras op `name`, or None."""
    if name in _OWN:
        return _OWN[name]
    if name in ACTIVATION_NAMES:
        return _activation(name)
    if name in NUMPY_NAMES:
        return getattr(np, name)
    return None
