"""numba's im2col / col2im convolution path against NumPy's, for every padding, stride and
dilation: bit-identical outputs and kernel gradients (the same BLAS calls on the same
chunks; the copies are exact), and col2im bit-identical on the same window gradients. The
input gradient's window gradients come from one product by the whole kernel where NumPy
multiplies by one offset at a time, which OpenBLAS may sum in another order: there the two
agree to float rounding (1e-6 of the gradient's scale in float32, 1e-14 in float64)."""

import numpy as np
import pytest

from gradwise.layers import Conv1D, Conv2D
from gradwise.ops import NumbaOps, NumpyOps, conv, use_ops
from gradwise.ops._numba import convolution as numba_convolution
from gradwise.ops.buffers import BufferPool

from ..layers.gradient_check import built

NUMPY, NUMBA = NumpyOps(), NumbaOps()

# (layer, per-sample input shape): valid/same/causal padding, strides, dilation, 1 and many channels
LAYERS = [
    (lambda: Conv2D(4, 3, activation="relu"), (7, 6, 1)),
    (lambda: Conv2D(5, 3, padding="same"), (6, 7, 3)),
    (lambda: Conv2D(3, (3, 2), strides=2, padding="same", activation="relu"), (7, 6, 2)),
    (lambda: Conv2D(4, 3, strides=(1, 2), use_bias=False), (8, 9, 2)),
    (lambda: Conv2D(3, 3, dilation_rate=2, padding="same"), (8, 7, 2)),
    (lambda: Conv2D(2, (2, 3), dilation_rate=(1, 2)), (6, 9, 3)),
    (lambda: Conv1D(3, 3, padding="causal", dilation_rate=2), (9, 2)),
    (lambda: Conv1D(4, 5, strides=2, padding="same"), (11, 3)),
]


def assert_input_gradients_match(got, expected):
    """Equal to float rounding: relative to the gradient's largest magnitude (see the module docstring)."""
    assert got.dtype == expected.dtype and got.shape == expected.shape
    scale = np.abs(expected).max() * (1e-6 if expected.dtype == np.float32 else 1e-14)
    np.testing.assert_allclose(got, expected, rtol=0, atol=scale)


def _run(ops, layer, inputs, upstream):
    with use_ops(ops):
        outputs, cache = layer.forward(inputs, training=True)
        grad_inputs = layer.backward(upstream, cache)
    return outputs, grad_inputs, {name: grad.copy() for name, grad in layer.grads.items()}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_convolution_forward_and_backward_match_numpy(rng, make, shape, dtype):
    layer = built(make(), shape, dtype=dtype)
    inputs = rng.normal(size=(6, *shape)).astype(dtype)
    upstream = rng.normal(size=(6, *layer.output_shape)).astype(dtype)
    expected = _run(NUMPY, layer, inputs, upstream)
    got = _run(NUMBA, layer, inputs, upstream)
    assert got[0].dtype == expected[0].dtype and got[0].shape == expected[0].shape
    np.testing.assert_array_equal(got[0], expected[0])
    assert_input_gradients_match(got[1], expected[1])
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_col2im_is_bit_identical_on_the_same_window_gradients(rng, make, shape, dtype):
    layer = built(make(), shape, dtype=dtype)
    batch, (height, width) = 3, ((1,) * (2 - layer.rank) + shape[:-1])
    channels, offsets = shape[-1], layer._kernel2d[0] * layer._kernel2d[1]
    pads, out = layer._geometry(shape[:-1], shape)
    (top, bottom), (left, right) = pads
    window_grads = rng.normal(size=(batch * out[0] * out[1] + 5, offsets * channels)).astype(dtype)  # rows past
    grad_padded = np.zeros((batch, height + top + bottom, width + left + right, channels), dtype=dtype)  # are unread
    blocks = window_grads[:batch * out[0] * out[1]].reshape(-1, offsets, channels).transpose(1, 0, 2)
    conv.col2im(blocks, grad_padded, out, layer._kernel2d, layer._strides2d, layer._dilation2d)
    grad_inputs = np.full((batch, height, width, channels), np.nan, dtype=dtype)  # every value is written
    numba_convolution.col2im(window_grads, grad_inputs, *out, top, left, *layer._kernel2d, *layer._strides2d,
                             *layer._dilation2d)
    np.testing.assert_array_equal(grad_inputs, grad_padded[:, top:top + height, left:left + width])


@pytest.mark.parametrize("chunk_elements", [1, 40])  # one sample per chunk; uneven chunks
def test_chunked_batches_match_numpy(rng, monkeypatch, chunk_elements):
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", chunk_elements * 10)
    monkeypatch.setattr(conv, "CHUNK_ELEMENTS", chunk_elements * 9 * 2)
    monkeypatch.setattr(conv, "GRAD_COLUMN_ELEMENTS", chunk_elements * 9 * 2)
    layer = built(Conv2D(3, 3, padding="same"), (5, 6, 2), dtype=np.float32)
    inputs = rng.normal(size=(5, 5, 6, 2)).astype(np.float32)
    upstream = rng.normal(size=(5, 5, 6, 3)).astype(np.float32)
    expected, got = _run(NUMPY, layer, inputs, upstream), _run(NUMBA, layer, inputs, upstream)
    np.testing.assert_array_equal(got[0], expected[0])
    assert_input_gradients_match(got[1], expected[1])
    np.testing.assert_array_equal(got[2]["kernel"], expected[2]["kernel"])


def test_inputs_of_another_dtype_are_cast_as_numpy_casts_them(rng):
    layer = built(Conv2D(3, 3, padding="same"), (5, 5, 2), dtype=np.float32)
    inputs = rng.normal(size=(4, 5, 5, 2))  # float64 into a float32 layer
    with use_ops(NUMPY):
        expected = layer.forward(inputs)[0]
    with use_ops(NUMBA):
        got = layer.forward(inputs)[0]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_the_kernels_run_without_the_padded_buffers(rng):
    # NumPy's path reads the zero-bordered `padded` copy and writes `grad_padded`; numba's
    # pads on the fly (for window rows of 16 elements or more: see needs_columns). NaN-filled
    # buffers show which path ran: the results carry no NaN and the buffers stay untouched.
    images = rng.normal(size=(2, 4, 4, 6)).astype(np.float32)
    weights = rng.normal(size=(54, 5)).astype(np.float32)
    pads, out, kernel, ones = ((1, 1), (1, 1)), (4, 4), (3, 3), (1, 1)
    padded = np.full((2, 6, 6, 6), np.nan, dtype=np.float32)
    buffer = np.empty((2, 4, 4, 54), dtype=np.float32)
    outputs = NUMBA.columns_product(images, padded, buffer, weights, pads, out, kernel, ones, ones)
    expected_buffer = np.empty_like(buffer)
    expected = NUMPY.columns_product(images, np.zeros_like(padded), expected_buffer, weights, pads, out, kernel,
                                     ones, ones)
    np.testing.assert_array_equal(outputs, expected)
    assert np.isnan(padded).all()

    grad = rng.normal(size=(32, 5)).astype(np.float32)
    kernel_t = np.ascontiguousarray(weights.reshape(9, 6, 5).transpose(0, 2, 1))
    grad_padded = np.full((2, 6, 6, 6), np.nan, dtype=np.float32)
    grad_inputs, expected_grad = np.empty_like(images), np.empty_like(images)
    NUMBA.scatter_products(grad, kernel_t, grad_padded, grad_inputs, pads, out, kernel, ones, ones, BufferPool())
    NUMPY.scatter_products(grad, kernel_t, np.empty_like(grad_padded), expected_grad, pads, out, kernel, ones, ones,
                           BufferPool())
    assert_input_gradients_match(grad_inputs, expected_grad)
    assert np.isnan(grad_padded).all()


@pytest.mark.parametrize("make, shape", LAYERS[:3] + LAYERS[-1:])
def test_batch_parts_in_threads_match_numpy(rng, monkeypatch, make, shape):
    # several threads, each with a part of the batch and one BLAS thread; the kernel gradient's
    # row chunks shared among them and summed in NumPy's order
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", "3")
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 16)
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", 200)
    layer = built(make(), shape, dtype=np.float32)
    inputs = rng.normal(size=(7, *shape)).astype(np.float32)
    upstream = rng.normal(size=(7, *layer.output_shape)).astype(np.float32)
    submitted = []
    real_run = threads._run

    def recorded_run(function, bounds):
        submitted.append((function.__qualname__, len(bounds)))
        real_run(function, bounds)

    monkeypatch.setattr(threads, "_run", recorded_run)
    got = _run(NUMBA, layer, inputs, upstream)
    kernels = sorted(name.split(".")[1] for name, count in submitted if name.startswith("NumbaOps.") and count == 4)
    relu = ["live_activation_backward"] if layer.activation.name == "relu" else []  # ReLU's dz: its live rows
    assert kernels == sorted(["_chunked_product", "kernel_and_input_gradients"] + relu)  # forward, both gradients
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "1")
    expected = _run(NUMPY, layer, inputs, upstream)
    np.testing.assert_array_equal(got[0], expected[0])
    assert_input_gradients_match(got[1], expected[1])
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])


@pytest.mark.parametrize("threads_", ["1", "3"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax"])
def test_the_activations_gradient_chunk_by_chunk_is_bit_identical(rng, monkeypatch, threads_, activation):
    # NumbaOps computes dz = f'(z) dy chunk by chunk with the kernel gradient's products (softmax:
    # NumPy's path); NumpyOps all at once, then the products: the same chunks, bit for bit
    from gradwise import activations
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", threads_)
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 16)
    function = activations.get(activation)
    rows, depth, filters = 71, 10, 6  # five chunks, the last one short
    cols = rng.normal(size=(rows, depth)).astype(np.float32)
    preactivation = rng.normal(size=(rows // 71, 71, filters)).astype(np.float32)
    outputs = NUMPY.activate(function, preactivation.copy())
    grad_outputs = rng.normal(size=preactivation.shape).astype(np.float32)
    start = rng.normal(size=(depth, filters)).astype(np.float32)
    for accumulate in (False, True):
        expected_out, got_out, kept_out = start.copy(), start.copy(), start.copy()
        expected = NUMPY.activated_columns_gradient(function, grad_outputs, preactivation, outputs, cols,
                                                    expected_out, accumulate)
        got = NUMBA.activated_columns_gradient(function, grad_outputs, preactivation, outputs, cols, got_out,
                                               accumulate, keep=True)
        unkept = NUMBA.activated_columns_gradient(function, grad_outputs, preactivation, outputs, cols, kept_out,
                                                  accumulate, keep=False)
        np.testing.assert_array_equal(expected, function.backward(grad_outputs, preactivation, outputs).reshape(rows, -1))
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got_out, expected_out)
        np.testing.assert_array_equal(kept_out, expected_out)
        assert unkept is None or activation == "softmax"


@pytest.mark.parametrize("has_scipy", [True, False])
def test_the_relu_kernel_gradient_in_one_call_per_thread_matches_the_chunked_products(rng, monkeypatch, has_scipy):
    # with SciPy, ReLU's dz and the chunks' products run in one numba call per thread
    # (relu_columns_gradient); without it, in _chunked_gradient's Python loop: the same bits,
    # at one and two threads, dz kept or not
    from gradwise import activations
    from gradwise.ops import threads

    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 32)
    monkeypatch.setattr(NUMBA, "_has_scipy", has_scipy)
    relu = activations.get("relu")
    rows, depth, filters = 250, 10, 32  # eight chunks, the last one short
    cols = rng.normal(size=(rows, depth)).astype(np.float32)
    preactivation = rng.normal(size=(rows, filters)).astype(np.float32)
    preactivation[3, :5] = [0.0, -0.0, np.nan, np.inf, -np.inf]
    outputs = NUMPY.activate(relu, preactivation.copy())
    grad_outputs = rng.normal(size=preactivation.shape).astype(np.float32)
    expected_out = np.empty((depth, filters), dtype=np.float32)
    with np.errstate(invalid="ignore"):
        expected = NUMPY.activated_columns_gradient(relu, grad_outputs, preactivation, outputs, cols, expected_out)
        for threads_ in ("1", "2"):
            monkeypatch.setenv("GRADWISE_NUM_THREADS", threads_)
            for keep in (True, False):
                got_out = np.empty_like(expected_out)
                got = NUMBA.activated_columns_gradient(relu, grad_outputs, preactivation, outputs, cols, got_out,
                                                       keep=keep)
                np.testing.assert_array_equal(got_out, expected_out)
                if keep:
                    np.testing.assert_array_equal(got, expected)
                    assert np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize("use_bias", [True, False])
def test_a_relu_layers_gradients_over_many_chunks_match_numpy(rng, monkeypatch, use_bias):
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 24)
    layer = built(Conv2D(4, 3, activation="relu", use_bias=use_bias), (9, 8, 2), dtype=np.float32)
    inputs = rng.normal(size=(5, 9, 8, 2)).astype(np.float32)
    upstream = rng.normal(size=(5, *layer.output_shape)).astype(np.float32)
    expected, got = _run(NUMPY, layer, inputs, upstream), _run(NUMBA, layer, inputs, upstream)
    assert_input_gradients_match(got[1], expected[1])
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])
    first_layer = []  # the first layer's case: no input gradient, and in numba's kernels dz never kept whole
    for ops in (NUMPY, NUMBA):
        with use_ops(ops):
            outputs, cache = layer.forward(inputs, training=True)
            assert layer.backward(upstream, cache, input_grad=False) is None
        first_layer.append({name: grad.copy() for name, grad in layer.grads.items()})
    for name in expected[2]:
        np.testing.assert_array_equal(first_layer[1][name], first_layer[0][name])
        # over every row in chunks of GRADIENT_ROWS, where with the input gradient the chunks are whole samples
        np.testing.assert_allclose(first_layer[1][name], expected[2][name], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("threads_", ["1", "3"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax"])
def test_the_activation_chunk_by_chunk_after_the_products_is_bit_identical(rng, monkeypatch, threads_, activation):
    # each chunk activated right after its product, by the kernel NumbaOps.activate runs on the
    # whole product (ReLU's is NumPy's bits too; sigmoid's and tanh's C exp and tanh may differ in
    # the last bit from NumPy's, as NumbaOps.activate's do; softmax takes the unfused path)
    from gradwise import activations
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", threads_)
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", 200)  # two or three images per chunk
    function = activations.get(activation)
    images = rng.normal(size=(7, 5, 6, 2)).astype(np.float32)
    weights = rng.normal(size=(19, 4)).astype(np.float32)
    pads, out, kernel, ones = ((1, 1), (1, 1)), (5, 6), (3, 3), (1, 1)
    arguments = (images, np.zeros((7, 7, 8, 2), np.float32), np.ones((7, 5, 6, 19), np.float32), weights, pads, out,
                 kernel, ones, ones)
    outputs, activated = NUMBA.activated_columns_product(function, *arguments)
    expected = NUMBA.columns_product(*arguments)
    np.testing.assert_array_equal(outputs, expected)
    np.testing.assert_array_equal(activated, NUMBA.activate(function, expected.copy()))
    numpy_outputs, numpy_activated = NUMPY.activated_columns_product(function, *arguments)
    np.testing.assert_array_equal(numpy_outputs, expected)
    np.testing.assert_array_equal(numpy_activated, NUMPY.activate(function, expected.copy()))
    if activation == "relu":
        np.testing.assert_array_equal(activated, numpy_activated)


def _dead_last_row_and_column(upstream):
    """`upstream` with no gradient in its last row and column, as under a 'valid' 2x2 pooling."""
    upstream[:, -1] = 0
    upstream[:, :, -1] = 0
    return upstream


@pytest.mark.parametrize("threads_", ["1", "3"])
@pytest.mark.parametrize("make, shape", [
    (lambda: Conv2D(6, 3, activation="relu"), (9, 8, 6)),  # window rows of 18: the columns made again
    (lambda: Conv2D(4, 3, padding="same", use_bias=False), (7, 8, 8)),
    (lambda: Conv2D(3, 3, strides=2, padding="same", activation="relu"), (9, 8, 2)),  # short rows: kept
])
def test_both_gradients_over_the_live_extent_match_numpy(rng, monkeypatch, threads_, make, shape):
    # NumbaOps makes the kernel gradient's columns again chunk by chunk (forward kept none) or reads
    # the kept ones, over the live rows only: the same chunks and products as NumPy's, bit for bit
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", threads_)
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 40)  # a few samples a chunk
    if threads_ != "1":  # forward's products as NumPy's, one sample each (threads' parts start anywhere)
        monkeypatch.setattr(conv, "COLUMN_ELEMENTS", 200)
    layer = built(make(), shape, dtype=np.float32)
    inputs = rng.normal(size=(11, *shape)).astype(np.float32)
    upstream = _dead_last_row_and_column(rng.normal(size=(11, *layer.output_shape)).astype(np.float32))
    kept = NUMBA.needs_columns(np.float32, layer._kernel2d, shape[-1])
    assert kept == (layer._kernel2d[1] * shape[-1] < 16)
    expected, got = _run(NUMPY, layer, inputs, upstream), _run(NUMBA, layer, inputs, upstream)
    np.testing.assert_array_equal(got[0], expected[0])
    assert_input_gradients_match(got[1], expected[1])
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])
    for ops, results in ((NUMPY, expected), (NUMBA, got)):  # accumulate: a second backward adds the same again
        for name in results[2]:
            layer.grads[name][...] = results[2][name]
        with use_ops(ops):
            layer.backward(upstream, layer.forward(inputs, training=True)[1], accumulate=True)
        for name in results[2]:
            np.testing.assert_array_equal(layer.grads[name], 2 * results[2][name])


def test_gradient_chunks_are_even_in_number_and_cover_the_batch():
    assert conv.gradient_samples(128, 100, 289) == 8  # 16 chunks of 8, not 15 of 9
    for batch in range(1, 60):
        for rows, depth in ((100, 289), (3, 7), (676, 10), (1, 1)):
            step = conv.gradient_samples(batch, rows, depth)
            chunks = -(-batch // step)
            assert step >= 1 and step * rows <= max(rows, conv.GRADIENT_ROWS) and chunks <= batch
            assert step * rows * depth <= max(rows * depth, conv.COLUMN_ELEMENTS)


def test_a_forward_without_columns_then_numpys_backward_makes_them(rng):
    # numba's forward keeps no columns (long window rows); a backward on NumPy's kernels (the
    # seam switched between the two) makes them again: nothing is read from a missing buffer
    layer = built(Conv2D(5, 3, padding="same", activation="relu"), (6, 7, 8), dtype=np.float32)
    inputs = rng.normal(size=(4, 6, 7, 8)).astype(np.float32)
    upstream = rng.normal(size=(4, 6, 7, 5)).astype(np.float32)
    expected = _run(NUMPY, layer, inputs, upstream)
    for input_grad in (True, False):
        with use_ops(NUMBA):
            outputs, cache = layer.forward(inputs, training=True)
        assert cache[0][0] is None
        with use_ops(NUMPY):
            grad_inputs = layer.backward(upstream, cache, input_grad=input_grad)
        if input_grad:
            np.testing.assert_array_equal(grad_inputs, expected[1])
        for name in expected[2]:
            np.testing.assert_allclose(layer.grads[name], expected[2][name], rtol=1e-5, atol=1e-5)
    with use_ops(NUMBA):  # numba's own first-layer case: no input gradient, the columns made whole
        layer.backward(upstream, layer.forward(inputs, training=True)[1], input_grad=False)
    for name in expected[2]:
        np.testing.assert_allclose(layer.grads[name], expected[2][name], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numbas_columns_are_numpys(rng, dtype):
    images = rng.normal(size=(3, 6, 5, 4)).astype(np.float32)  # float32 images into either dtype
    arguments = (images, ((1, 1), (0, 1)), (3, 3), (3, 2), (2, 2), (1, 1))
    got = NUMBA.columns(*arguments, 3 * 2 * 4 + 1, dtype)
    expected = NUMPY.columns(*arguments, 3 * 2 * 4 + 1, dtype)
    assert got.dtype == expected.dtype == dtype and got.shape == (3 * 3 * 3, 25)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got[:, -1], 1)  # the bias's column


@pytest.mark.parametrize("threads_", ["1", "3"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "softmax"])
def test_the_live_rows_of_dz_match_numpy(rng, monkeypatch, threads_, activation):
    # ReLU's kernel makes dz for dy's live extent only; the extent and rows are NumPy's, bit for bit,
    # also where dz's extent is smaller than dy's (every sample's z negative along a row dy reaches)
    from gradwise import activations
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", threads_)
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    function = activations.get(activation)
    preactivation = rng.normal(size=(7, 6, 5, 4)).astype(np.float32)
    outputs = NUMPY.activate(function, preactivation.copy())
    for dead_rows, negative_row in ((0, None), (1, None), (1, 4), (2, 3)):
        grad_outputs = rng.normal(size=preactivation.shape).astype(np.float32)
        if dead_rows:
            grad_outputs[:, -dead_rows:] = 0
            grad_outputs[:, :, -dead_rows:] = 0
        z = preactivation.copy()
        if negative_row is not None:
            z[:, negative_row] = -np.abs(z[:, negative_row]) - 1
        y = NUMPY.activate(function, z.copy()) if activation != "relu" else outputs
        expected, expected_live = NUMPY.live_activation_backward(function, grad_outputs, z, y)
        got, live = NUMBA.live_activation_backward(function, grad_outputs, z, y)
        shrunk = negative_row == 6 - dead_rows - 1 and activation == "relu"
        assert live == expected_live == ((negative_row if shrunk else 6 - dead_rows), 5 - dead_rows)
        assert got.shape == expected.shape == (7 * live[0] * live[1], 4) and got.flags.c_contiguous
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_short_window_rows_are_copied_as_numpy_copies_them(rng, monkeypatch, padding):
    # one channel: the columns are kept and made offset by offset from the zero-bordered copy
    # (or from the images themselves, unpadded), bit for bit NumPy's; float64 inputs into a
    # float32 layer are cast, and the caller's array is left as it was
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", 300)  # a few images a chunk
    layer = built(Conv2D(4, 3, padding=padding, activation="relu"), (8, 7, 1), dtype=np.float32)
    for dtype in (np.float32, np.float64):
        inputs = rng.normal(size=(9, 8, 7, 1)).astype(dtype)
        before = inputs.copy()
        upstream = rng.normal(size=(9, *layer.output_shape)).astype(np.float32)
        expected = _run(NUMPY, layer, inputs, upstream)
        copies, numpy_im2col = [], conv.im2col
        monkeypatch.setattr(conv, "im2col", lambda *args: copies.append(len(args[0])) or numpy_im2col(*args))
        got = _run(NUMBA, layer, inputs, upstream)
        monkeypatch.setattr(conv, "im2col", numpy_im2col)
        assert sum(copies) == 9 and len(copies) > 1 or dtype == np.float64  # NumPy's copies, chunk by chunk
        np.testing.assert_array_equal(inputs, before)
        np.testing.assert_array_equal(got[0], expected[0])
        for name in expected[2]:
            np.testing.assert_array_equal(got[2][name], expected[2][name])
