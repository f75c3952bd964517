"""Each numba kernel against its NumPy twin: bit-identical where the order of operations
allows, else within 1e-6 relative in float32 (the sigmoid and tanh forward)."""

import numpy as np
import pytest

from gradwise import activations, optimizers
from gradwise.ops import NumbaOps, NumpyOps, _numba_steps, numba_ops, threads
from gradwise.parameters import ParameterSet

NUMPY, NUMBA = NumpyOps(), NumbaOps()
DTYPES = [np.float32, np.float64]

# Every built-in optimizer in its plain and its fully optioned form, weight decay included.
VARIANTS = {
    "sgd": [lambda: optimizers.SGD(0.1), lambda: optimizers.SGD(0.1, momentum=0.9),
            lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01)],
    "adam": [lambda: optimizers.Adam(0.01), lambda: optimizers.Adam(0.01, amsgrad=True, weight_decay=0.05)],
    "adamw": [lambda: optimizers.AdamW(0.01, weight_decay=0.1)],
    "rmsprop": [lambda: optimizers.RMSprop(0.01), lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                lambda: optimizers.RMSprop(0.01, centered=True, weight_decay=0.01)],
    "adagrad": [lambda: optimizers.Adagrad(0.05), lambda: optimizers.Adagrad(0.05, weight_decay=0.02)],
    "adadelta": [lambda: optimizers.Adadelta(1.0), lambda: optimizers.Adadelta(1.0, rho=0.9, weight_decay=0.01)],
    "adamax": [lambda: optimizers.Adamax(0.02), lambda: optimizers.Adamax(0.02, weight_decay=0.01)],
    "nadam": [lambda: optimizers.Nadam(0.01), lambda: optimizers.Nadam(0.01, weight_decay=0.01)],
}
CASES = [(name, index) for name, variants in VARIANTS.items() for index in range(len(variants))]


def test_every_registered_optimizer_has_a_kernel_case():
    assert sorted(optimizers._REGISTRY) == sorted(VARIANTS)


def _train(ops, make, dtype, size, steps=4):
    rng = np.random.default_rng(7)
    parameters = ParameterSet({"w": rng.normal(size=size)}, dtype)
    optimizer = make()
    for step in range(steps):
        parameters.grads[:] = rng.normal(size=size) * (10.0 if step == 2 else 1.0)
        parameters.grads[:5] = 0.0  # zero gradients: 0/0-prone paths, the max of equal zeros
        ops.update_parameters(optimizer, parameters.values, parameters.grads, optimizer.learning_rate)
        optimizer._begin_step(optimizer.learning_rate)  # the next step's scalars, as Optimizer.step does
        optimizer.iterations += 1
    return parameters.values.copy(), optimizer.get_state()


def _stepped(ops, make, dtype, size, steps=4):
    """`steps` whole Optimizer.step calls under `ops`."""
    from gradwise.ops import use_ops

    rng = np.random.default_rng(7)
    parameters = ParameterSet({"w": rng.normal(size=size)}, dtype)
    optimizer = make()
    with use_ops(ops):
        for step in range(steps):
            parameters.grads[:] = rng.normal(size=size) * (10.0 if step == 2 else 1.0)
            parameters.grads[:5] = 0.0
            optimizer.step(parameters)
    return parameters.values.copy(), optimizer.get_state()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, index", CASES)
def test_fused_optimizer_steps_are_bit_identical(name, index, dtype):
    make = VARIANTS[name][index]
    assert _numba_steps._fused_class(make()) is not None  # the kernel, not the fallback, is tested
    numpy_values, numpy_state = _stepped(NUMPY, make, dtype, 1000)
    numba_values, numba_state = _stepped(NUMBA, make, dtype, 1000)
    np.testing.assert_array_equal(numba_values, numpy_values)
    assert numba_state.keys() == numpy_state.keys()
    for key in numpy_state:
        np.testing.assert_array_equal(numba_state[key], numpy_state[key], err_msg=key)


@pytest.mark.parametrize("name", ["adam", "rmsprop", "nadam"])
def test_fused_steps_in_threaded_chunks_equal_numpys_blocks(monkeypatch, name):
    """A model big enough to split: chunks in two threads against NumPy's blocked update."""
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1000)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    make = VARIANTS[name][-1]
    size = 3 * (1 << 16) + 77
    np.testing.assert_array_equal(_stepped(NUMBA, make, np.float32, size, steps=3)[0],
                                  _stepped(NUMPY, make, np.float32, size, steps=3)[0])


def test_an_optimizer_that_overrides_its_step_runs_its_own_numpy_code():
    class HalfSGD(optimizers.SGD, register=False):
        def _step(self, grad, slots, learning_rate):
            return super()._step(grad, slots, learning_rate) * 0.5

    assert _numba_steps._fused_class(HalfSGD()) is None
    numpy_values, _ = _stepped(NUMPY, lambda: HalfSGD(0.1), np.float32, 100)
    numba_values, _ = _stepped(NUMBA, lambda: HalfSGD(0.1), np.float32, 100)
    np.testing.assert_array_equal(numba_values, numpy_values)
    plain, _ = _stepped(NUMPY, lambda: optimizers.SGD(0.1), np.float32, 100)
    assert not np.array_equal(numba_values, plain)


def test_a_method_patched_after_a_fused_step_is_seen_at_the_next_step(monkeypatch):
    """The kernel choice is remembered per class and per update method: patching Adam's _step
    after it ran fused sends the next step to the patched NumPy code, and undoing it returns."""
    assert _numba_steps._fused_class(optimizers.Adam()) is optimizers.Adam
    original = optimizers.Adam._step
    monkeypatch.setattr(optimizers.Adam, "_step", lambda self, grad, slots, rate: original(self, grad, slots, rate) * 0)
    assert _numba_steps._fused_class(optimizers.Adam()) is None
    frozen, _ = _stepped(NUMBA, lambda: optimizers.Adam(0.1), np.float32, 100)
    np.testing.assert_array_equal(frozen, np.random.default_rng(7).normal(size=100).astype(np.float32))
    monkeypatch.undo()
    assert _numba_steps._fused_class(optimizers.Adam()) is optimizers.Adam


# ----- activations -------------------------------------------------------------------
def _awkward(rng, shape, dtype):
    """Normal values with exact zeros of both signs, infinities and NaN mixed in."""
    values = rng.normal(scale=3.0, size=shape).astype(dtype)
    flat = values.reshape(-1)
    flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 40.0]
    return values


FUNCTIONS = {"relu": activations.ReLU(), "sigmoid": activations.Sigmoid(), "tanh": activations.Tanh(),
             "linear": activations.Linear()}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_bias_activation_forward_matches_numpy(name, dtype, with_bias):
    rng = np.random.default_rng(1)
    function = FUNCTIONS[name]
    pre = _awkward(rng, (37, 19), dtype)
    bias = rng.normal(size=19).astype(dtype) if with_bias else None
    numpy_pre, numba_pre = pre.copy(), pre.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        expected = NUMPY.activate(function, numpy_pre, bias)
        got = NUMBA.activate(function, numba_pre, bias)
    np.testing.assert_array_equal(numba_pre, numpy_pre)  # the biased pre-activation, kept for backward
    assert got.dtype == expected.dtype == np.dtype(dtype)
    if name in ("relu", "linear"):
        np.testing.assert_array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected))
    else:  # the C library's exp / tanh against NumPy's vectorized ones
        np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-14, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_activation_backward_is_bit_identical(name, dtype):
    rng = np.random.default_rng(2)
    function = FUNCTIONS[name]
    pre = _awkward(rng, (5, 6, 7, 3), dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        outputs = function.forward(pre)
        grad = _awkward(rng, pre.shape, dtype)
        expected = NUMPY.activate_backward(function, grad, pre, outputs)
        got = NUMBA.activate_backward(function, grad, pre, outputs)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


def _count_threaded_runs(monkeypatch):
    """The chunk boundaries of every call that went to the threads (a list that fills up)."""
    calls, run = [], threads._run
    monkeypatch.setattr(threads, "_run", lambda function, bounds: (calls.append(bounds), run(function, bounds)))
    return calls


@pytest.mark.parametrize("threaded", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "sigmoid", "softmax"])
def test_large_activations_split_among_threads_give_the_same_bits(monkeypatch, name, dtype, threaded):
    """Past SPLIT_ELEMENTS the forward and backward kernels run in row chunks, one per thread
    (W5's 512 x 2048 layers): the same bits as one call, the forward's within NumPy's bounds."""
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 32)
    monkeypatch.setattr(numba_ops, "SPLIT_ELEMENTS", 128 if threaded else 1 << 19)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    chunked = _count_threaded_runs(monkeypatch)
    rng = np.random.default_rng(5)
    function = activations.Softmax() if name == "softmax" else FUNCTIONS[name]
    pre, bias, grad = _awkward(rng, (41, 13), dtype), rng.normal(size=13).astype(dtype), _awkward(rng, (41, 13), dtype)
    pre[0] = 1.0  # softmax: one row without NaN or infinities is enough
    numba_pre, single_pre, numpy_pre = pre.copy(), pre.copy(), pre.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        got = NUMBA.activate(function, numba_pre, bias)
        got_back = NUMBA.activate_backward(function, grad, numba_pre, got)
        expected = NUMPY.activate(function, numpy_pre, bias)
        expected_back = NUMPY.activate_backward(function, grad, numpy_pre, expected)
        monkeypatch.setattr(numba_ops, "SPLIT_ELEMENTS", 1 << 30)  # one call
        single = NUMBA.activate(function, single_pre, bias)
        single_back = NUMBA.activate_backward(function, grad, single_pre, single)
    assert len(chunked) == (2 if threaded else 0)  # the forward and the backward, in two chunks each
    np.testing.assert_array_equal(numba_pre, numpy_pre)
    np.testing.assert_array_equal(got, single)
    np.testing.assert_array_equal(got_back, single_back)
    if name == "relu":
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got_back, expected_back)
    else:
        np.testing.assert_allclose(got[:1], expected[:1], rtol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("threaded", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 7), (40, 1), (512, 33)])
def test_column_sums_are_bit_identical(monkeypatch, shape, dtype, threaded):
    """A Dense layer's bias gradient: each column summed row after row, as NumPy's reduction,
    whether the columns are shared among threads or not; -0.0 columns sum to +0.0 as NumPy's."""
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 4)
    monkeypatch.setattr(numba_ops, "SPLIT_ELEMENTS", 16 if threaded else 1 << 19)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    chunked = _count_threaded_runs(monkeypatch)
    rng = np.random.default_rng(6)
    rows = (rng.normal(size=shape) * np.exp(rng.uniform(-12, 12, size=shape))).astype(dtype)
    rows[:, 0] = -0.0
    got, expected = np.full(shape[1], 7, dtype=dtype), np.full(shape[1], 7, dtype=dtype)
    assert NUMBA.column_sums(rows, got) is got
    NUMPY.column_sums(rows, expected)
    assert len(chunked) == (1 if threaded and shape[1] > 1 and rows.size >= 16 else 0)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_column_sums_of_no_rows_are_zeros():
    got = NUMBA.column_sums(np.empty((0, 3), dtype=np.float32), np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(got, np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(33, 1), (5, 3, 2)])
def test_sigmoid_cross_entropy_is_bit_identical(dtype, shape):
    """Losses and gradient from the logits as NumPy computes them, NaN, infinities, signed zeros
    and soft targets included; a target array that only broadcasts runs NumPy's code."""
    rng = np.random.default_rng(4)
    logits = _awkward(rng, shape, dtype)
    logits.reshape(-1)[6:8] = [90.0, -90.0]  # exp(-|z|) underflows in float32
    targets = rng.uniform(size=shape).astype(dtype)
    targets.reshape(-1)[:3] = [0.0, 1.0, 1.0]
    kept = logits.copy(), targets.copy()
    with np.errstate(invalid="ignore"):  # inf - inf: NumPy warns, the kernel is silent
        (losses, grad), (expected_losses, expected_grad) = (NUMBA.sigmoid_cross_entropy(logits, targets),
                                                            NUMPY.sigmoid_cross_entropy(logits, targets))
    assert losses.dtype == grad.dtype == dtype
    np.testing.assert_array_equal(losses, expected_losses)
    np.testing.assert_array_equal(grad, expected_grad)
    np.testing.assert_array_equal(logits, kept[0])  # the inputs are only read
    np.testing.assert_array_equal(targets, kept[1])
    row = targets[:1]  # broadcast over the batch
    with np.errstate(invalid="ignore"):
        pairs = zip(NUMBA.sigmoid_cross_entropy(logits, row), NUMPY.sigmoid_cross_entropy(logits, row))
        for got, expected in pairs:
            np.testing.assert_array_equal(got, expected)


def test_activations_with_options_fall_back_to_numpy():
    function = activations.ReLU(max_value=6.0)
    assert NUMBA._kernels(function) is None and NUMBA._kernels(activations.ELU()) is None
    pre = np.linspace(-8, 8, 30, dtype=np.float32).reshape(5, 6)
    np.testing.assert_array_equal(NUMBA.activate(function, pre.copy()), np.clip(pre, 0, 6))


# ----- dropout -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rate, shape", [(0.5, (64, 33)), (0.1, (3, 5, 7)), (0.9, (1, 7))])
def test_dropout_draws_the_same_mask_and_outputs(rate, shape, dtype):
    inputs = _awkward(np.random.default_rng(3), shape, dtype)
    with np.errstate(invalid="ignore"):
        expected = NUMPY.dropout(inputs, np.random.default_rng(11), shape, rate)
        got = NUMBA.dropout(inputs, np.random.default_rng(11), shape, rate)
    for got_array, expected_array in zip(got, expected):
        assert got_array.dtype == expected_array.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got_array, expected_array)
        assert np.array_equal(np.signbit(got_array), np.signbit(expected_array))


@pytest.mark.parametrize("count", [1, 2, 7, 8, 9, 2047, 2 * 4 * 256 * 3 + 5, 128 * 512])
@pytest.mark.parametrize("bit_generator", ["PCG64", "PCG64-half-used", "MT19937"])
def test_dropout_leaves_the_generator_where_numpys_path_does(count, bit_generator):
    """The kernel draws PCG64's stream itself (four lanes jumped ahead, blocks of 256 draws):
    the same mask as random_raw's bits and the same state after, so the next masks agree too;
    a half-used 64-bit draw (has_uint32, left by an odd uint32 draw) stays pending as
    random_raw leaves it; another bit generator runs random_raw."""
    def generator():
        if bit_generator == "MT19937":
            return np.random.Generator(np.random.MT19937(13))
        rng = np.random.default_rng(13)
        if bit_generator == "PCG64-half-used":
            rng.integers(0, 2**32, size=3, dtype=np.uint32)
            assert rng.bit_generator.state["has_uint32"] == 1
        return rng

    inputs = np.random.default_rng(2).normal(size=count).astype(np.float32)
    numba_rng, numpy_rng = generator(), generator()
    for _ in range(2):  # a second mask from the state the first one left
        got_outputs, got_mask = NUMBA.dropout(inputs, numba_rng, inputs.shape, 0.3)
        expected_outputs, expected_mask = NUMPY.dropout(inputs, numpy_rng, inputs.shape, 0.3)
        np.testing.assert_array_equal(got_mask, expected_mask)
        np.testing.assert_array_equal(got_outputs, expected_outputs)
    if bit_generator != "MT19937":  # (its state holds an array)
        assert numba_rng.bit_generator.state == numpy_rng.bit_generator.state
    np.testing.assert_array_equal(numba_rng.integers(0, 2**32, size=5, dtype=np.uint32),
                                  numpy_rng.integers(0, 2**32, size=5, dtype=np.uint32))


def test_the_pcg64_jump_ahead_matches_numpys_advance():
    from gradwise.ops._numba import pcg64

    generator = np.random.PCG64(21)
    state = generator.state["state"]
    halves = lambda number: (np.uint64(number >> 64), np.uint64(number & (2**64 - 1)))
    for draws in (0, 1, 5, 1000, 2**40 + 3):
        high, low = pcg64.advance(*halves(state["state"]), *halves(state["inc"]), draws)
        jumped = np.random.PCG64(21)
        jumped.advance(draws)
        assert (int(high) << 64) | int(low) == jumped.state["state"]["state"]


def test_a_broadcast_dropout_mask_uses_numpys_path():
    inputs = np.ones((4, 3, 5), dtype=np.float32)
    outputs, mask = NUMBA.dropout(inputs, np.random.default_rng(0), (4, 1, 5), 0.5)
    expected_outputs, expected_mask = NUMPY.dropout(inputs, np.random.default_rng(0), (4, 1, 5), 0.5)
    assert mask.shape == (4, 1, 5)
    np.testing.assert_array_equal(outputs, expected_outputs)
    np.testing.assert_array_equal(mask, expected_mask)


# ----- pooling -----------------------------------------------------------------------
POOLS = [((2, 2), (6, 6, 3)), ((2, 2), (7, 9, 2)), ((3, 3), (8, 7, 2)), ((2, 3), (5, 8, 4)), ((1, 2), (3, 5, 2))]


def _tied(rng, shape, dtype):
    """Small integers (many tied maxima), signed zeros and a NaN."""
    values = rng.integers(-2, 3, size=shape).astype(dtype)
    values[values == 0] = np.where(rng.random(np.count_nonzero(values == 0)) < 0.5, 0.0, -0.0)
    values.reshape(-1)[7] = np.nan
    return values


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("pool, shape", POOLS)
def test_tile_pooling_forward_and_backward_are_bit_identical(pool, shape, mode, dtype):
    rng = np.random.default_rng(4)
    images = _tied(rng, (5, *shape), dtype)
    out = (shape[0] // pool[0], shape[1] // pool[1])
    results = []
    for ops in (NUMPY, NUMBA):
        outputs = np.empty((5, *out, shape[2]), dtype=dtype)
        masks = np.empty((pool[0] * pool[1], *outputs.shape), dtype=bool) if mode == "max" else None
        with np.errstate(invalid="ignore"):
            ops.tile_pool(images, outputs, masks, pool, mode)
        grad = _tied(np.random.default_rng(5), outputs.shape, dtype)
        grad_inputs = np.full(images.shape, 99.0, dtype=dtype)  # every position must be written
        ops.tile_pool_backward(grad, masks, grad_inputs, pool)
        results.append((outputs, masks, grad_inputs))
    for got, expected in zip(results[1], results[0]):
        if expected is not None:
            np.testing.assert_array_equal(got, expected)
            assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_tile_pooling_in_threaded_chunks(monkeypatch):
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(numba_ops, "POOL_SPLIT_ELEMENTS", 1)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    test_tile_pooling_forward_and_backward_are_bit_identical((2, 2), (7, 9, 2), "max", np.float32)


def test_tile_pooling_of_strided_arrays_matches_numpy():
    # the kernels read flat arrays: strided images are copied, strided outputs go to NumPy's path
    rng = np.random.default_rng(6)
    images = _tied(rng, (3, 6, 2, 8), np.float32).transpose(0, 3, 1, 2)  # (3, 8, 6, 2), not contiguous
    results = []
    for ops in (NUMPY, NUMBA):
        outputs = np.empty((3, 3, 2, 4), dtype=np.float32).transpose(0, 3, 1, 2)  # (3, 4, 3, 2)
        masks = np.empty((4, 3, 4, 3, 2), dtype=bool)
        with np.errstate(invalid="ignore"):
            ops.tile_pool(images, outputs, masks, (2, 2), "max")
        grad = _tied(np.random.default_rng(7), (3, 3, 2, 4), np.float32).transpose(0, 3, 1, 2)
        grad_inputs = np.full(images.shape, 99.0, dtype=np.float32)
        ops.tile_pool_backward(np.ascontiguousarray(grad), masks, grad_inputs, (2, 2))
        results.append((outputs, masks, grad_inputs))
    for got, expected in zip(results[1], results[0]):
        np.testing.assert_array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_an_activation_without_bias_leaves_its_inputs_alone():
    inputs = _awkward(np.random.default_rng(6), (4, 6), np.float32)
    before = inputs.copy()
    for function in (FUNCTIONS["relu"], FUNCTIONS["sigmoid"], FUNCTIONS["tanh"]):
        with np.errstate(invalid="ignore", over="ignore"):
            got, expected = NUMBA.activate(function, inputs), function.forward(before)
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert np.array_equal(inputs, before, equal_nan=True) and np.array_equal(np.signbit(inputs), np.signbit(before))
    inputs.flags.writeable = False  # read-only inputs (a user's frozen array) take NumPy's path
    np.testing.assert_array_equal(NUMBA.activate(FUNCTIONS["relu"], inputs), np.maximum(before, 0.0))
