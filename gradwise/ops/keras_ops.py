"""Keras's ``keras.ops`` math for code that ports unchanged, computed eagerly with NumPy:
``gradwise.ops.sigmoid(predictions)``, ``gradwise.ops.mean(x, axis=0)``,
``gradwise.ops.convert_to_numpy(t)``.

These run on arrays outside a model (post-processing, metrics by hand); they have no
derivative, so a layer of one's own still writes ``forward`` and ``backward``. The names
are read from ``gradwise.ops`` (whose own names are the array seam's) by its ``__getattr__``.
"""

import builtins

import numpy as np

from .. import activations

builtins_slice = builtins.slice  # this module defines Keras's `slice` and `map`

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
amax amin angle arccosh arcsinh arctanh argpartition array_split bitwise_and bitwise_invert bitwise_left_shift
bitwise_not bitwise_or bitwise_right_shift bitwise_xor cbrt conj conjugate corrcoef correlate deg2rad diagflat
digitize dsplit dstack empty_like exp2 fabs fliplr flipud fmax fmin fmod gcd geomspace heaviside histogram hsplit
hypot i0 inner isin isneginf isposinf isreal kron lcm ldexp left_shift logaddexp2 logspace nan_to_num nanargmax
nanargmin nancumprod nancumsum nanmax nanmean nanmedian nanmin nanpercentile nanprod nanquantile nanstd nansum
nanvar ndim nextafter percentile ptp rad2deg right_shift rot90 searchsorted select signbit sinc size trapezoid tri
trunc unravel_index vander vsplit
""".split())
# Keras's linear algebra ops that are numpy.linalg's function of the same name and arguments
LINALG_NAMES = frozenset("det eig eigh inv pinv qr slogdet solve svd".split())


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


def cholesky(x, upper=False):
    lower = np.linalg.cholesky(x)
    return np.swapaxes(lower, -1, -2).conj() if upper else lower


def lstsq(a, b, rcond=None):
    """The least-squares solution alone (Keras's; NumPy's lstsq also returns residuals, rank and singular values)."""
    return np.linalg.lstsq(a, b, rcond=rcond)[0]


def logdet(x):
    """log det of a positive-definite `x` (Keras's: no sign)."""
    return np.linalg.slogdet(x)[1]


def matrix_rank(x, tol=None):
    return np.linalg.matrix_rank(x, tol=tol)


def solve_triangular(a, b, lower=False):
    from scipy.linalg import solve_triangular as solve

    return solve(a, b, lower=lower)


def erf(x):
    from scipy.special import erf as function

    return function(x)


def erfc(x):
    from scipy.special import erfc as function

    return function(x)


def erfinv(x):
    from scipy.special import erfinv as function

    return function(x)


def rsqrt(x):
    return 1.0 / np.sqrt(x)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0."""
    x1, x2 = np.asarray(x1), np.asarray(x2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x2 == 0, 0, x1 / np.where(x2 == 0, 1, x2))


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list."""
    x = np.asarray(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"unstack: `num` must equal x.shape[{axis}] = {x.shape[axis]}, got {num!r}.")
    return [np.take(x, index, axis=axis) for index in range(x.shape[axis])]


def stop_gradient(x):
    """`x` itself: eager NumPy arrays carry no gradient to stop."""
    return x


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over `axes`."""
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    return np.mean(x, axis=axes, keepdims=keepdims), np.var(x, axis=axes, keepdims=keepdims)


def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`, Keras's default 1e-7 when not given)."""
    x = np.asarray(x)
    length = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.maximum(length, 1e-7 if epsilon is None else epsilon)


def dtype(x):
    """The dtype's name ('float32')."""
    return np.asarray(x).dtype.name


def is_tensor(x):
    return isinstance(x, np.ndarray)


def get_item(x, key):
    return np.asarray(x)[key]


def saturate_cast(x, dtype):
    """`x` clipped to the range of `dtype`, then cast."""
    x, target = np.asarray(x), np.dtype(dtype)
    limits = np.iinfo(target) if target.kind in "iu" else np.finfo(target)
    return np.clip(x, limits.min, limits.max).astype(target)


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    return np.asarray(inputs)[tuple(builtins_slice(s, s + n) for s, n in zip(start_indices, shape))]


def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with `updates` written from `start_indices`."""
    out, updates = np.array(inputs, copy=True), np.asarray(updates)
    out[tuple(builtins_slice(s, s + n) for s, n in zip(start_indices, updates.shape))] = updates
    return out


def scatter(indices, values, shape):
    """Zeros of `shape` with `values` added at `indices` (rows of coordinates)."""
    out = np.zeros(shape, dtype=np.asarray(values).dtype)
    np.add.at(out, tuple(np.asarray(indices).T), values)
    return out


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of `inputs` with `updates` written at `indices` (rows of coordinates)."""
    if reduction is not None:
        raise ValueError(f"scatter_update: `reduction` other than None is not supported, got {reduction!r}.")
    out = np.array(inputs, copy=True)
    out[tuple(np.asarray(indices).T)] = updates
    return out


def _segments(data, segment_ids, num_segments, reduce, empty):
    data, ids = np.asarray(data), np.asarray(segment_ids, dtype=np.int64)
    count = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    out = np.full((count, *data.shape[1:]), empty, dtype=data.dtype)
    keep = (ids >= 0) & (ids < count)
    reduce.at(out, ids[keep], data[keep])
    return out


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return _segments(data, segment_ids, num_segments, np.add, 0)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    data = np.asarray(data)
    lowest = np.finfo(data.dtype).min if data.dtype.kind == "f" else np.iinfo(data.dtype).min
    return _segments(data, segment_ids, num_segments, np.maximum, lowest)


def cond(pred, true_fn, false_fn):
    return true_fn() if pred else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clipped to the branches as Keras clips it."""
    return branches[int(np.clip(index, 0, len(branches) - 1))](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    value = init_val
    for index in range(lower, upper):
        value = body_fun(index, value)
    return value


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Keras's while_loop: `loop_vars` a tuple/list (passed unpacked) or one value."""
    several = isinstance(loop_vars, (list, tuple))
    values, done = loop_vars, 0
    while (cond(*values) if several else cond(values)) and (maximum_iterations is None or done < maximum_iterations):
        values = body(*values) if several else body(values)
        values = tuple(values) if several else values
        done += 1
    return values


def map(f, xs):  # noqa: A001 - Keras's name
    return np.stack([f(x) for x in xs])


def vectorized_map(function, elements):
    return np.stack([function(x) for x in elements])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """(final carry, stacked outputs) of ``carry, y = f(carry, x)`` over `xs` (or `length` steps of None)."""
    steps = list(range(len(xs) if xs is not None else length))
    carry, outputs = init, []
    for index in (reversed(steps) if reverse else steps):
        carry, y = f(carry, None if xs is None else xs[index])
        outputs.append(y)
    if reverse:
        outputs.reverse()
    return carry, (np.stack(outputs) if outputs and outputs[0] is not None else None)


def cdist(x, y):
    """Euclidean distances between the rows of `x` and of `y`."""
    x, y = np.asarray(x), np.asarray(y)
    return np.sqrt(np.maximum(((x[..., :, None, :] - y[..., None, :, :]) ** 2).sum(axis=-1), 0))


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at each class index present in a row of `inputs` (Keras's multi_hot)."""
    num_classes = kwargs.pop("num_tokens", num_classes)
    indices = np.asarray(inputs, dtype=np.int64)
    encoded = (indices[..., None] == np.arange(num_classes)).any(axis=-2)
    return np.moveaxis(encoded.astype(dtype or "float32"), -1, axis)


_EPSILON = 1e-7  # Keras clips probabilities to [epsilon, 1 - epsilon]


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (Keras's op: no mean over an axis)."""
    target, output = np.asarray(target), np.asarray(output)
    if from_logits:
        return np.maximum(output, 0) - output * target + np.log1p(np.exp(-np.abs(output)))
    output = np.clip(output, _EPSILON, 1 - _EPSILON)
    return -(target * np.log(output) + (1 - target) * np.log(1 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = np.asarray(output)
    if from_logits:
        log_probabilities = output - logsumexp(output, axis=axis, keepdims=True)
    else:
        output = output / np.sum(output, axis=axis, keepdims=True)
        log_probabilities = np.log(np.clip(output, _EPSILON, 1 - _EPSILON))
    return -np.sum(np.asarray(target) * log_probabilities, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = np.asarray(output)
    return categorical_crossentropy(one_hot(np.asarray(target), output.shape[axis], axis=axis, dtype=output.dtype),
                                    output, from_logits, axis)


def glu(x, axis=-1):
    """Gated linear unit: the first half of `x` along `axis` times the sigmoid of the second."""
    first, second = np.split(np.asarray(x), 2, axis=axis)
    return first * activations.get("sigmoid")(second)


def sparsemax(x, axis=-1):
    """Martins & Astudillo's sparsemax: the Euclidean projection of `x` onto the simplex along `axis`.
    The threshold is (sum of the k largest - 1) / k; Keras 3.15's op sums the running sums over the
    support instead, so its outputs need not sum to 1 ([0.5, 1.2, -0.3, 0.9] gives it 0.05 in all)."""
    x = np.moveaxis(np.asarray(x, dtype=np.result_type(x, np.float32)), axis, -1)
    ordered = -np.sort(-x, axis=-1)
    ranks = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    running = np.cumsum(ordered, axis=-1)
    support = 1 + ranks * ordered > running  # the k largest entries that stay above the threshold
    count = support.sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(running, count - 1, axis=-1) - 1) / count
    return np.moveaxis(np.maximum(x - tau, 0), -1, axis)


def threshold(x, threshold, default_value):
    """`x` where it is above `threshold`, else `default_value`."""
    x = np.asarray(x)
    return np.where(x > threshold, x, default_value).astype(x.dtype, copy=False)


def hard_shrink(x, threshold=0.5):
    """`x` where its magnitude is above `threshold`, else 0."""
    x = np.asarray(x)
    return np.where(np.abs(x) > threshold, x, 0).astype(x.dtype, copy=False)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in decibels: 20 log10(max_val) - 10 log10(mean squared error)."""
    error = np.mean((np.asarray(x1, dtype=np.float64) - np.asarray(x2, dtype=np.float64)) ** 2)
    return 20 * np.log10(max_val) - 10 * np.log10(error)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x², axis) + epsilon) (· scale); epsilon defaults to 1e-7, as Keras's."""
    x = np.asarray(x)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    outputs = x / np.sqrt(np.mean(x * x, axis=axis, keepdims=True) + (1e-7 if epsilon is None else epsilon))
    return outputs if scale is None else outputs * scale


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(variance + epsilon) over `axis` (· gamma + beta); epsilon defaults to 1e-7."""
    if kwargs.get("rms_scaling"):
        return rms_normalization(x, gamma, axis, epsilon)
    x = np.asarray(x)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    mean, variance = np.mean(x, axis=axis, keepdims=True), np.var(x, axis=axis, keepdims=True)
    outputs = (x - mean) / np.sqrt(variance + (1e-7 if epsilon is None else epsilon))
    outputs = outputs if gamma is None else outputs * gamma
    return outputs if beta is None else outputs + beta


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) (· scale + offset), the statistics given along `axis`."""
    x = np.asarray(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def along(value):
        return None if value is None else np.reshape(value, shape)

    outputs = (x - along(mean)) / np.sqrt(along(variance) + epsilon)
    outputs = outputs if scale is None else outputs * along(scale)
    return outputs if offset is None else outputs + along(offset)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False, **kwargs):
    """softmax(q kᵀ · scale + bias, masked) v for (batch, steps, heads, size) arrays (Keras's op)."""
    query, key, value = np.asarray(query), np.asarray(key), np.asarray(value)
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", query, key) * scale
    if bias is not None:
        logits = logits + bias
    allowed = None if mask is None else np.broadcast_to(np.asarray(mask, dtype=bool), logits.shape)
    if is_causal:
        causal = np.tril(np.ones(logits.shape[-2:], dtype=bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = np.where(allowed, logits, np.finfo(logits.dtype).min / 2)
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", weights, value)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` every `sequence_stride` along the last axis: (..., frames, sequence_length)."""
    x = np.asarray(x)
    frames = 1 + (x.shape[-1] - sequence_length) // sequence_stride
    starts = np.arange(frames) * sequence_stride
    return x[..., starts[:, None] + np.arange(sequence_length)]


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
_OWN = {function.__name__: function for function in (
    convert_to_numpy, convert_to_tensor, cast, shape, norm, logsumexp, one_hot, top_k, in_top_k, cholesky, lstsq,
    logdet, matrix_rank, solve_triangular, erf, erfc, erfinv, rsqrt, divide_no_nan, unstack, stop_gradient, moments,
    normalize, dtype, is_tensor, get_item, saturate_cast, slice, slice_update, scatter, scatter_update, segment_sum,
    segment_max, cond, switch, fori_loop, while_loop, map, vectorized_map, scan, cdist, multi_hot,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, glu, sparsemax, threshold,
    hard_shrink, psnr, rms_normalization, layer_normalization, batch_normalization, dot_product_attention,
    extract_sequences)}


def lookup(name):
    """The Keras op `name`, or None."""
    if name in _OWN:
        return _OWN[name]
    if name in ACTIVATION_NAMES:
        return _activation(name)
    if name in NUMPY_NAMES:
        return getattr(np, name)
    if name in LINALG_NAMES:
        return getattr(np.linalg, name)
    return None
