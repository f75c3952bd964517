"""NumbaOps: NumpyOps with the hot kernels compiled by numba and fused.

numba is imported when the first NumbaOps is made, not with gradwise (it costs about
0.3 s); each kernel is compiled on its first call and kept in numba's on-disk cache
(``cache=True``), so a machine compiles it once. Kernels are compiled without fastmath
and with NumPy's error model, and follow the NumPy twin's order of operations: results
are bit-identical, except the sigmoid and tanh forward (the C library's exp and tanh,
within a float32 ulp or two of NumPy's) and the float32 LSTM's whole-loop kernels (their
own vectorized exponential, within two ulps: ``_numba/lstm_sequence.py``). Whatever a kernel does not cover (a custom
optimizer, an activation with options, a broadcast dropout mask, float16) falls back
to NumpyOps, which this class extends.
"""

import functools
import importlib
import importlib.util
import math
import threading

import numpy as np

from . import blas, conv, numba_gru_cell, numba_lstm_cell, numpy_ops, threads
from .numpy_ops import NumpyOps

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class NumbaOps(NumpyOps):
    """The seam with numba kernels for optimizer steps, activations, dropout and pooling."""

    name = "numba"

    _import_error = None  # why numba did not import, once it was tried

    @classmethod
    def available(cls):
        """Whether numba imports (tried once: a missing or broken numba means NumPy's kernels)."""
        if cls._import_error is None:
            try:
                importlib.import_module("numba")
                cls._import_error = ""
            except ImportError as error:
                cls._import_error = str(error) or type(error).__name__
        return cls._import_error == ""

    @classmethod
    def unavailable_reason(cls):
        return f"numba is not installed: pip install 'gradwise[fast]' ({cls._import_error})"

    def __init__(self):
        self._elementwise = importlib.import_module("gradwise.ops._numba.elementwise")
        self._pcg64 = importlib.import_module("gradwise.ops._numba.pcg64")
        self._optimizer_kernels = importlib.import_module("gradwise.ops._numba.optimizers")
        self._pooling = importlib.import_module("gradwise.ops._numba.pooling")
        self._lstm = importlib.import_module("gradwise.ops._numba.lstm")
        # the LSTM's whole-loop kernels call BLAS through numba's np.dot, which needs SciPy
        has_scipy = importlib.util.find_spec("scipy") is not None
        self._has_scipy = has_scipy  # also for the convolution's ReLU kernel gradient (relu_columns_gradient)
        self._lstm_sequence = importlib.import_module("gradwise.ops._numba.lstm_sequence") if has_scipy else None
        self._simple_rnn_sequence = (importlib.import_module("gradwise.ops._numba.simple_rnn_sequence")
                                     if has_scipy else None)
        self._gru_sequence = importlib.import_module("gradwise.ops._numba.gru_sequence") if has_scipy else None
        self._convolution = importlib.import_module("gradwise.ops._numba.convolution")
        self._normalization = importlib.import_module("gradwise.ops._numba.normalization")
        self._softmax = importlib.import_module("gradwise.ops._numba.softmax")
        self._gru = importlib.import_module("gradwise.ops._numba.gru")
        from .. import activations
        from . import _numba_steps  # the optimizer classes' kernel calls (imports gradwise.optimizers)

        self._steps = _numba_steps
        kernels = self._elementwise
        self._by_function = {  # exact classes: a subclass may compute something else
            activations.ReLU: (kernels.bias_relu, kernels.relu_backward),
            activations.Sigmoid: (kernels.bias_sigmoid, kernels.sigmoid_backward),
            activations.Tanh: (kernels.bias_tanh, kernels.tanh_backward),
            activations.Softmax: (self._softmax.bias_softmax, self._softmax.softmax_backward),
        }

    # ----- whole training steps ------------------------------------------------------------
    def dense_chain_step(self):
        # imported on the first fit that can use it: a process that never trains such a chain
        # never loads it; its larger products call BLAS through numba's np.dot, which needs SciPy
        if not self._has_scipy:
            return None
        return importlib.import_module("gradwise.ops._numba.dense_chain").train_step

    # ----- activations and dropout ------------------------------------------------------
    def _kernels(self, activation):
        """(forward, backward) kernels for `activation`, or None when only NumPy computes it
        (the identity needs none; options and other functions run on NumPy)."""
        kernels = self._by_function.get(type(activation))
        if kernels is None or (kernels[0] is self._elementwise.bias_relu and not activation._plain) or (
                kernels[0] is self._softmax.bias_softmax and activation.axis != -1):
            return None
        return kernels

    def activate(self, activation, preactivation, bias=None):
        kernels = self._kernels(activation)
        flags = preactivation.flags
        if kernels is None or preactivation.dtype not in _FLOATS or not (flags.c_contiguous and flags.writeable) or \
                preactivation.ndim == 0 or not preactivation.shape[-1] or (
                bias is not None and (bias.dtype != preactivation.dtype or bias.shape != preactivation.shape[-1:])):
            return super().activate(activation, preactivation, bias)
        outputs = np.empty_like(preactivation)
        # a Dense layer's (batch, units) is already the kernel's rows: no views to make
        rows, out_rows = (preactivation, outputs) if preactivation.ndim == 2 else (
            preactivation.reshape(-1, preactivation.shape[-1]), outputs.reshape(-1, preactivation.shape[-1]))
        forward, store = kernels[0], bias is not None  # without a bias the inputs are only read
        bias = _no_bias(preactivation.dtype, rows.shape[1]) if bias is None else bias
        if rows.size < SPLIT_ELEMENTS:  # the small models' case, without a closure or views a step
            forward(rows, bias, out_rows, store)
        else:
            _split(lambda start, stop: forward(rows[start:stop], bias, out_rows[start:stop], store), len(rows),
                   rows.size)
        return outputs

    def activate_backward(self, activation, grad_outputs, preactivation, outputs):
        kernels = self._kernels(activation)
        shape, dtype = grad_outputs.shape, grad_outputs.dtype
        if kernels is None or not (_fusable(grad_outputs) and _fusable(preactivation) and _fusable(outputs) and
                                   preactivation.shape == shape and outputs.shape == shape and
                                   preactivation.dtype == dtype and outputs.dtype == dtype):
            return super().activate_backward(activation, grad_outputs, preactivation, outputs)
        backward = kernels[1]
        reads = preactivation if backward is self._elementwise.relu_backward else outputs
        grad_inputs = np.empty_like(grad_outputs)
        shape = (-1, grad_outputs.shape[-1]) if backward is self._softmax.softmax_backward else -1  # softmax: by row
        if grad_outputs.size:
            grads, reads, out = grad_outputs.reshape(shape), reads.reshape(shape), grad_inputs.reshape(shape)
            if grads.size < SPLIT_ELEMENTS:
                backward(grads, reads, out)
            else:
                _split(lambda start, stop: backward(grads[start:stop], reads[start:stop], out[start:stop]), len(grads),
                       grads.size)
        return grad_inputs

    def column_sums(self, rows, out):
        """Large arrays split by columns among the threads: each column still summed over the
        rows in NumPy's order, so the bits do not depend on the thread count."""
        if not (_fusable(rows) and rows.ndim == 2 and out.dtype == rows.dtype and
                out.shape == rows.shape[1:] and out.flags.c_contiguous):
            return super().column_sums(rows, out)
        kernel = self._elementwise.column_sums
        if rows.size < SPLIT_ELEMENTS:
            kernel(rows, out)
        else:
            _split(lambda start, stop: kernel(rows[:, start:stop], out[start:stop]), rows.shape[1], rows.size)
        return out

    # ----- losses -----------------------------------------------------------------------
    def sparse_cross_entropy(self, probabilities, labels, tiny):
        if not (_fusable(probabilities) and probabilities.ndim == 2 and probabilities.shape[0] and
                labels.shape == probabilities.shape[:1] and labels.dtype.kind in "iu"):
            return super().sparse_cross_entropy(probabilities, labels, tiny)
        losses, grad = np.empty(len(probabilities), dtype=probabilities.dtype), np.empty_like(probabilities)
        exact = self._softmax.sparse_cross_entropy(probabilities, labels, probabilities.dtype.type(tiny), losses, grad)
        return (losses if exact else None), grad

    def sigmoid_cross_entropy(self, logits, targets):
        if not (_fusable(logits) and targets.shape == logits.shape and targets.dtype == logits.dtype and
                targets.flags.c_contiguous):
            return super().sigmoid_cross_entropy(logits, targets)
        # exp and log1p stay NumPy's (the C library's differ in the last bit); the kernel does
        # the rest of both formulas in one pass, in NumPy's order, over these two buffers
        e = np.abs(logits)
        np.negative(e, out=e)
        np.exp(e, out=e)
        losses = np.log1p(e)
        if logits.size:
            self._elementwise.sigmoid_cross_entropy(logits.reshape(-1), targets.reshape(-1), losses.reshape(-1),
                                                    e.reshape(-1))
        return losses, e

    def dropout(self, inputs, rng, mask_shape, rate):
        if tuple(mask_shape) != inputs.shape or not _fusable(inputs):
            return super().dropout(inputs, rng, mask_shape, rate)
        count = inputs.size
        outputs, mask = np.empty_like(inputs), np.empty_like(inputs)
        scale = np.multiply(True, 1.0 / (1.0 - rate), dtype=inputs.dtype)  # the kept units' mask value
        generator = rng.bit_generator
        if type(generator) is np.random.PCG64:  # default_rng's: the kernel draws NumpyOps' bits itself
            with generator.lock:
                state = generator.state
                pcg = state["state"]
                high, low = self._pcg64.dropout(
                    inputs.reshape(-1), *_halves(pcg["state"]), *_halves(pcg["inc"]), numpy_ops.keep_threshold(rate),
                    scale, outputs.reshape(-1), mask.reshape(-1))
                pcg["state"] = (int(high) << 64) | int(low)
                generator.state = state
            return outputs, mask
        bits = generator.random_raw((count + 1) // 2).view(np.uint32)[:count]  # NumpyOps' draws
        self._elementwise.dropout(inputs.reshape(-1), bits, numpy_ops.keep_threshold(rate), scale,
                                  outputs.reshape(-1), mask.reshape(-1))
        return outputs, mask

    # ----- batch normalization -------------------------------------------------------------
    def moments(self, inputs, axes):
        if not _over_rows(inputs, axes):
            return super().moments(inputs, axes)
        rows = inputs.reshape(-1, inputs.shape[-1])
        mean, variance = np.empty(rows.shape[1], dtype=rows.dtype), np.empty(rows.shape[1], dtype=rows.dtype)
        self._normalization.moments(rows, mean, variance)
        return mean, variance

    def normalize(self, inputs, mean, inv_std, gamma, beta, shape):
        vectors = [vector for vector in (mean, inv_std, gamma, beta) if vector is not None]
        if not (_over_rows(inputs, tuple(range(inputs.ndim - 1))) and shape[-1] == inputs.shape[-1] and all(
                vector.dtype == inputs.dtype and vector.shape == inputs.shape[-1:] for vector in vectors)):
            return super().normalize(inputs, mean, inv_std, gamma, beta, shape)
        rows = inputs.reshape(-1, inputs.shape[-1])
        normalized, outputs = np.empty_like(inputs), np.empty_like(inputs)
        self._normalization.normalize(rows, mean, inv_std, mean if gamma is None else gamma,
                                      mean if beta is None else beta, gamma is not None, beta is not None,
                                      normalized.reshape(rows.shape), outputs.reshape(rows.shape))
        return normalized, outputs

    def normalize_backward(self, grad_outputs, normalized, axes, shape, scale, batch_statistics, input_grad):
        if not (_over_rows(grad_outputs, axes) and normalized.dtype == grad_outputs.dtype and
                normalized.shape == grad_outputs.shape and normalized.flags.c_contiguous and
                scale.dtype == grad_outputs.dtype and scale.shape == grad_outputs.shape[-1:]):
            return super().normalize_backward(grad_outputs, normalized, axes, shape, scale, batch_statistics,
                                              input_grad)
        rows = grad_outputs.reshape(-1, grad_outputs.shape[-1])
        grad_beta, grad_gamma = np.empty_like(scale), np.empty_like(scale)
        grad_inputs = np.empty_like(grad_outputs) if input_grad else grad_outputs  # not written without input_grad
        self._normalization.normalize_backward(rows, normalized.reshape(rows.shape), scale, bool(batch_statistics),
                                               bool(input_grad), grad_beta, grad_gamma,
                                               grad_inputs.reshape(rows.shape))
        return grad_beta, grad_gamma, (grad_inputs if input_grad else None)

    # ----- convolution ------------------------------------------------------------------
    def needs_columns(self, dtype, kernel, channels):
        """Float columns whose window rows are long copies are made again by the backward
        kernels (``kernel_and_input_gradients``, ``columns``): forward makes them chunk by
        chunk in scratch that stays in cache. Short rows (a first layer's one channel) are
        slow to copy (a loop of a few elements per row: 1.0 ms for W4's first convolution
        against 0.45 ms for NumPy's offset by offset copies), so those columns are kept."""
        return np.dtype(dtype) not in _FLOATS or kernel[1] * channels < _RECOMPUTED_ROW

    def columns(self, images, pads, out_size, kernel, strides, dilation, depth, dtype):
        if np.dtype(dtype) not in _FLOATS:
            return super().columns(images, pads, out_size, kernel, strides, dilation, depth, dtype)
        images = np.ascontiguousarray(images, dtype=dtype)
        buffer = np.empty((len(images), *out_size, depth), dtype=dtype)
        buffer[..., math.prod(kernel) * images.shape[3]:] = 1  # the bias's column, when there is one
        self._convolution.im2col(images, buffer, pads[0][0], pads[1][0], *kernel, *strides, *dilation)
        return buffer.reshape(-1, depth)

    def columns_product(self, images, padded, buffer, weights, pads, out_size, kernel, strides, dilation):
        """NumpyOps' batch chunks, each im2col'd in one pass from `images` (the padding written
        as zeros on the fly: `padded` is not used); with several threads, each thread takes
        a part of the batch (see ``_over_batch_with_blas``). Without a `buffer` (see
        ``needs_columns``), each thread's chunks go through one chunk-sized scratch array:
        on W4's second convolution (one thread) 6.9 ms against 7.7 ms through the whole
        batch's columns, which leave the cache before backward reads them."""
        if buffer is not None and (buffer.dtype not in _FLOATS or not buffer.flags.c_contiguous):
            return super().columns_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation)
        return self._chunked_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation)

    def activated_columns_product(self, activation, images, padded, buffer, weights, pads, out_size, kernel, strides,
                                  dilation):
        """``columns_product``'s chunks, each chunk's activation computed right after its
        product, while the product is still in cache (NumPy's path activates the whole
        batch afterwards); the same kernel as ``activate``, so the same bits."""
        kernels = self._kernels(activation)
        dtype = weights.dtype if buffer is None else buffer.dtype
        if kernels is None or kernels[0] is self._softmax.bias_softmax or dtype not in _FLOATS or \
                (buffer is not None and not buffer.flags.c_contiguous) or weights.dtype != dtype:
            if buffer is None:  # the activation after the products, over the whole batch
                outputs = self.columns_product(images, padded, buffer, weights, pads, out_size, kernel, strides,
                                               dilation)
                return outputs, self.map_batch(functools.partial(self.activate, activation), outputs)
            return super().activated_columns_product(activation, images, padded, buffer, weights, pads, out_size,
                                                     kernel, strides, dilation)
        forward = kernels[0]
        no_bias = _no_bias(dtype, weights.shape[1])
        activated = np.empty((len(images) * math.prod(out_size), weights.shape[1]), dtype=dtype)

        def activate(outputs, rows):
            forward(outputs[rows], no_bias, activated[rows], False)  # without a bias the inputs are only read

        outputs = self._chunked_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation,
                                        activate)
        return outputs, activated

    def _chunked_product(self, images, padded, buffer, weights, pads, out_size, kernel, strides, dilation,
                         after=None):
        """im2col and product over batch chunks (see ``columns_product``), then ``after(outputs,
        rows)`` on each chunk's rows of the product, if given. Short window rows (see
        ``needs_columns``) are copied as NumPy copies them, offset by offset from `padded`:
        numba's loop of a few elements per row took 1.0 ms on W4's first convolution, NumPy's
        0.5 ms."""
        dtype = weights.dtype if buffer is None else buffer.dtype
        unpadded = padded is images  # (then NumPy's copies read the images as given)
        images = np.ascontiguousarray(images, dtype=dtype)  # NumPy's cast, where one is needed
        (top, _), (left, _) = pads
        batch, height, width, channels = images.shape
        depth = weights.shape[0]
        windows = None
        if buffer is not None and kernel[1] * channels < _RECOMPUTED_ROW and padded.dtype == dtype:
            windows = buffer[..., :math.prod(kernel) * channels].reshape(*buffer.shape[:3], *kernel, channels)
        rows = out_size[0] * out_size[1]
        outputs = np.empty((batch * rows, weights.shape[1]), dtype=np.result_type(dtype, weights))
        step = max(1, conv.COLUMN_ELEMENTS // (rows * depth))

        def run(first, last):
            scratch = None
            if buffer is None:
                scratch = np.empty((min(step, last - first), *out_size, depth), dtype=dtype)
                scratch[..., math.prod(kernel) * images.shape[3]:] = 1  # the bias's column, when there is one
            for start in range(first, last, step):
                stop = min(start + step, last)
                chunk_cols = buffer[start:stop] if scratch is None else scratch[:stop - start]
                if windows is not None:
                    if not unpadded:
                        padded[start:stop, top:top + height, left:left + width] = images[start:stop]
                    conv.im2col(padded[start:stop], windows[start:stop], out_size, kernel, strides, dilation)
                else:
                    self._convolution.im2col(images[start:stop], chunk_cols, top, left, *kernel, *strides, *dilation)
                chunk = slice(start * rows, stop * rows)
                np.matmul(chunk_cols.reshape(-1, depth), weights, out=outputs[chunk])
                if after is not None:
                    after(outputs, chunk)

        _over_batch_with_blas(run, batch, batch * rows * depth)
        return outputs

    def columns_gradient(self, cols, grad, out, accumulate=False):
        """NumpyOps' chunks of GRADIENT_ROWS rows, their products shared among the threads
        and then summed in NumPy's order (so the result does not depend on the thread count)."""
        chunks = -(-len(cols) // conv.GRADIENT_ROWS)
        if cols.dtype not in _FLOATS or grad.dtype != cols.dtype or chunks < 2 or \
                len(threads._bounds(chunks, cols.size)) == 2:
            return super().columns_gradient(cols, grad, out, accumulate)
        return self._chunked_gradient(cols, out, accumulate, lambda rows, part: grad[rows])

    def activated_columns_gradient(self, activation, grad_outputs, preactivation, outputs, cols, out,
                                   accumulate=False, keep=True):
        """The activation's backward computed chunk by chunk of GRADIENT_ROWS rows, each
        chunk multiplied by its columns while it is still in cache (NumPy's path writes dz
        for the whole batch, then reads it back for the products). Same chunks, same kernels,
        summed in the same order: bit-identical to NumpyOps. Without `keep`, dz is never
        stored whole (a first layer needs no input gradient)."""
        kernels = self._kernels(activation)
        rows, filters = len(cols), out.shape[-1]
        if kernels is None or kernels[1] is self._softmax.softmax_backward or cols.dtype not in _FLOATS or \
                not cols.flags.c_contiguous or not all(
                    _fusable(array) and array.dtype == cols.dtype and array.size == rows * filters
                    for array in (grad_outputs, preactivation, outputs)):
            return super().activated_columns_gradient(activation, grad_outputs, preactivation, outputs, cols, out,
                                                      accumulate, keep)
        backward = kernels[1]
        reads = preactivation if backward is self._elementwise.relu_backward else outputs
        grad_outputs, reads = grad_outputs.reshape(rows, filters), reads.reshape(rows, filters)
        grad = np.empty((rows, filters), dtype=cols.dtype) if keep else None
        chunk_rows = min(rows, conv.GRADIENT_ROWS)
        if backward is self._elementwise.relu_backward and self._has_scipy and rows:
            self._relu_columns_gradient(grad_outputs, reads, cols, out, accumulate, grad, chunk_rows)
            return grad
        scratch = {}  # per thread, when dz is not kept

        def chunk_grad(rows_, part):
            if keep:
                target = grad[rows_]
            else:
                if part not in scratch:
                    scratch[part] = np.empty((chunk_rows, filters), dtype=cols.dtype)
                target = scratch[part][:len(grad_outputs[rows_])]
            if target.size:
                backward(grad_outputs[rows_].reshape(-1), reads[rows_].reshape(-1), target.reshape(-1))
            return target

        self._chunked_gradient(cols, out, accumulate, chunk_grad)
        return grad

    def _relu_columns_gradient(self, grad_outputs, preactivation, cols, out, accumulate, grad, chunk_rows):
        """``activated_columns_gradient`` for ReLU in one kernel call per thread (the chunks'
        dz and products in numba, ``relu_columns_gradient``), the chunks' products then summed
        in order: the same chunks, products and sums as ``_chunked_gradient``'s, so the same
        bits at any thread count. Its chunks cost no Python between them: split over two
        threads, ``_chunked_gradient``'s 43 chunks on W4's first convolution took longer than
        on one (the threads waited on each other for the GIL between calls; 1.8 ms against
        1.45 ms, loaded machine), this kernel about 1.0 ms against 1.35 ms."""
        rows, filters = grad_outputs.shape
        chunks = -(-rows // chunk_rows)
        partials = np.empty((chunks, filters, cols.shape[1]), dtype=cols.dtype)
        bounds = threads._bounds(chunks, cols.size)
        scratch = None if grad is not None else np.empty((len(bounds) - 1, chunk_rows, filters), dtype=cols.dtype)
        part_of = {start: part for part, start in enumerate(bounds[:-1])}
        kernel = self._convolution.relu_columns_gradient

        def run(first, last):
            dz = grad if grad is not None else scratch[part_of[first]]
            kernel(grad_outputs, preactivation, cols, partials, dz, first, last, chunk_rows, grad is not None)

        _over_batch_with_blas(run, chunks, cols.size, bounds)
        total = partials[0]
        for part in partials[1:]:
            total += part
        conv.store_transposed(out, total, accumulate)

    def _chunked_gradient(self, cols, out, accumulate, chunk_grad):
        """``cols.T @ grad`` into `out` over chunks of GRADIENT_ROWS rows, ``chunk_grad(rows,
        part)`` giving each chunk's rows of grad (`part`: which thread asks); the chunks shared
        among the threads, their products summed in order."""
        chunks = max(1, -(-len(cols) // conv.GRADIENT_ROWS))
        shape = (out.shape[-1], cols.shape[1])
        bounds = threads._bounds(chunks, cols.size)

        def product(index, target, part):
            rows = slice(index * conv.GRADIENT_ROWS, (index + 1) * conv.GRADIENT_ROWS)
            return np.matmul(chunk_grad(rows, part).T, cols[rows], out=target)

        if len(bounds) == 2:  # one thread: a running sum, as NumPy's
            total, part = np.empty(shape, dtype=cols.dtype), np.empty(shape, dtype=cols.dtype)
            product(0, total, 0)
            for index in range(1, chunks):
                total += product(index, part, 0)
            return conv.store_transposed(out, total, accumulate)
        partials = np.empty((chunks,) + shape, dtype=cols.dtype)

        def run(first, last):
            for index in range(first, last):
                product(index, partials[index], first)

        _over_batch_with_blas(run, chunks, cols.size, bounds)
        total = partials[0]
        for part in partials[1:]:
            total += part
        return conv.store_transposed(out, total, accumulate)

    def scatter_products(self, grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel, strides, dilation,
                         buffers):
        """The input gradient over batch chunks: each chunk's window gradients in one product,
        ``grad @ [kernel_t[0] ... kernel_t[offsets - 1]]`` (rows of the im2col layout), then
        col2im'd in one pass straight into `grad_inputs` (padding dropped on the fly:
        `grad_padded` is not used); with several threads, each thread takes a part of the
        batch, with its own chunk buffer.

        NumpyOps multiplies by one kernel offset at a time (a product only `channels` wide,
        which OpenBLAS runs below its speed: W4's second convolution, 32 channels, took
        8.9 ms against 7.7 ms this way, one thread). Each element is the same dot product
        over the filters either way, but OpenBLAS may sum it in another order for another
        width: the input gradient matches NumPy's to float rounding (about 1e-7 of its
        scale in float32), not bit for bit; col2im itself is exact."""
        if grad_inputs.dtype not in _FLOATS or not grad_inputs.flags.c_contiguous:
            return super().scatter_products(grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel,
                                            strides, dilation, buffers)
        (top, _), (left, _) = pads
        batch = len(grad_inputs)
        offsets, filters, channels = kernel_t.shape
        rows = out_size[0] * out_size[1]
        step = max(1, conv.GRAD_COLUMN_ELEMENTS // (offsets * rows * channels))
        kernels = np.ascontiguousarray(kernel_t.transpose(1, 0, 2)).reshape(filters, offsets * channels)
        bounds = threads._bounds(batch, grad_inputs.size)
        parts = len(bounds) - 1
        chunk_cols = buffers.get("grad_cols", (parts, step * rows, offsets * channels), grad_inputs.dtype)
        part_of = {start: part for part, start in enumerate(bounds[:-1])}

        def run(first, last):
            own = chunk_cols[part_of[first]]
            for start in range(first, last, step):
                stop = min(start + step, last)
                window_grads = own[:(stop - start) * rows]
                np.matmul(grad[start * rows:stop * rows], kernels, out=window_grads)
                self._convolution.col2im(window_grads, grad_inputs[start:stop], *out_size, top, left, *kernel, *strides,
                                         *dilation)

        _over_batch_with_blas(run, batch, grad_inputs.size, bounds)

    def live_activation_backward(self, activation, grad_outputs, preactivation, outputs):
        """ReLU's dz made for the live extent of dy only, straight into its contiguous rows:
        dz = dy [z > 0] is zero wherever dy is, so dz's live extent lies within dy's (where it
        is smaller, as when every sample's z is negative along dy's last live row, the rows are
        cut down to it: the same extent and rows as NumpyOps'). Saves writing dz whole and
        copying its live rows out (0.5 ms of W4's second convolution, one thread)."""
        kernels = self._kernels(activation)
        if kernels is None or kernels[1] is not self._elementwise.relu_backward or grad_outputs.ndim != 4 or not (
                _fusable(grad_outputs) and _fusable(preactivation) and preactivation.shape == grad_outputs.shape and
                preactivation.dtype == grad_outputs.dtype):
            return super().live_activation_backward(activation, grad_outputs, preactivation, outputs)
        batch, out_h, out_w, filters = grad_outputs.shape
        rows, columns = conv.live_extent(grad_outputs)
        grad = np.empty((batch, rows, columns, filters), dtype=grad_outputs.dtype)

        def run(start, stop):
            self._elementwise.relu_backward_live(grad_outputs[start:stop].reshape(-1),
                                                 preactivation[start:stop].reshape(-1), out_h, out_w, filters, rows,
                                                 columns, grad[start:stop].reshape(-1))

        self.over_batch(run, batch, grad.size)
        live = conv.live_extent(grad)
        return conv.live_rows(grad, live), live

    def kernel_and_input_gradients(self, live_grad, cols, images, kernel_t, grad_weights, accumulate, grad_padded,
                                   grad_inputs, pads, out_size, live, kernel, strides, dilation, buffers):
        """Both gradients in one pass over NumpyOps' batch chunks: each chunk's live columns
        im2col'd again from `images` when forward did not keep them (see ``needs_columns``),
        multiplied by its dz rows into the kernel gradient, then its window gradients made
        and col2im'd as in ``scatter_products``.
        With several threads, each takes a run of chunks with its own buffers; the kernel
        gradient's chunk products are summed in order, so it is bit-identical to NumpyOps'
        and does not depend on the thread count (the input gradient matches to float
        rounding, as ``scatter_products``'). On W4's second convolution (one thread, idle
        machine) this took 12.2 ms against 15.0 ms for the kernel gradient over every row
        followed by ``scatter_products``."""
        dtype = grad_inputs.dtype
        if dtype not in _FLOATS or not grad_inputs.flags.c_contiguous or live_grad.dtype != dtype or \
                grad_weights.dtype != dtype:
            return super().kernel_and_input_gradients(live_grad, cols, images, kernel_t, grad_weights, accumulate,
                                                      grad_padded, grad_inputs, pads, out_size, live, kernel,
                                                      strides, dilation, buffers)
        images = np.ascontiguousarray(images, dtype=dtype)
        (top, _), (left, _) = pads
        batch, depth = len(grad_inputs), grad_weights.shape[0]
        offsets, filters, channels = kernel_t.shape
        rows = live[0] * live[1]
        step = conv.gradient_samples(batch, rows, depth)
        chunks = -(-batch // step)
        kernels = np.ascontiguousarray(kernel_t.transpose(1, 0, 2)).reshape(filters, offsets * channels)
        bounds = threads._bounds(chunks, batch * rows * depth)
        parts = len(bounds) - 1
        part_of = {start: part for part, start in enumerate(bounds[:-1])}
        # the forward's columns when it kept them (short window rows: see needs_columns), else made again
        windows = None if cols is None else cols.reshape(batch, *out_size, depth)
        # the bias's column of ones (past the window's columns) is set once, when the buffer is made
        chunk_cols = buffers.get("live_cols", (parts, step, *live, depth), dtype, fill=1)
        chunk_window_grads = buffers.get("live_window_grads", (parts, step * rows, offsets * channels), dtype)
        # one thread: a running sum, as NumPy's; several: each chunk's product, summed in order after
        products = np.empty((chunks if parts > 1 else 2, filters, depth), dtype=dtype)

        def run(first, last):
            part = part_of[first]
            for index in range(first, last):
                start, stop = index * step, min(index * step + step, batch)
                if windows is None:
                    own_cols = chunk_cols[part, :stop - start]
                    self._convolution.im2col(images[start:stop], own_cols, top, left, *kernel, *strides, *dilation)
                elif tuple(live) == tuple(out_size):
                    own_cols = windows[start:stop]
                else:
                    own_cols = chunk_cols[part, :stop - start]
                    np.copyto(own_cols, windows[start:stop, :live[0], :live[1]])
                chunk_grad = live_grad[start * rows:stop * rows]
                target = products[index] if parts > 1 else products[min(index, 1)]
                np.matmul(chunk_grad.T, own_cols.reshape(-1, depth), out=target)
                if parts == 1 and index:
                    products[0] += target
                window_grads = chunk_window_grads[part, :len(chunk_grad)]
                np.matmul(chunk_grad, kernels, out=window_grads)
                self._convolution.col2im(window_grads, grad_inputs[start:stop], *live, top, left, *kernel, *strides,
                                         *dilation)

        _over_batch_with_blas(run, chunks, batch * rows * depth, bounds)
        total = products[0]
        for product in products[1:] if parts > 1 else ():
            total += product
        conv.store_transposed(grad_weights, total, accumulate)

    # ----- pooling ----------------------------------------------------------------------
    def tile_pool(self, images, outputs, masks, pool, mode):
        if images.dtype not in _FLOATS or not outputs.flags.c_contiguous or (
                masks is not None and not masks.flags.c_contiguous):
            return super().tile_pool(images, outputs, masks, pool, mode)
        images = np.ascontiguousarray(images)  # the max kernel reads the arrays flat

        def run(start, stop):
            if mode == "max":
                self._pooling.max_pool(images, outputs, masks, start, stop, *pool)
            else:
                self._pooling.average_pool(images[start:stop], outputs[start:stop], *pool)

        _split_pooling(self, run, len(images), images.size)

    def tile_pool_backward(self, grad, masks, grad_inputs, pool):
        if grad.dtype not in _FLOATS or not (grad.flags.c_contiguous and grad_inputs.flags.c_contiguous) or (
                masks is not None and not masks.flags.c_contiguous):
            return super().tile_pool_backward(grad, masks, grad_inputs, pool)
        is_max = masks is not None
        masks = masks if is_max else np.zeros((1,) * 5, dtype=bool)

        def run(start, stop):  # each thread writes its own samples of the whole arrays
            self._pooling.pool_backward(grad, masks, grad_inputs, start, stop, pool[0], pool[1], is_max)

        _split_pooling(self, run, len(grad), grad_inputs.size)

    # ----- recurrent cells ----------------------------------------------------------------
    def lstm_cell(self, activation, recurrent_activation, batch, units, dtype):
        if not numba_lstm_cell.fusable(activation, recurrent_activation, dtype):
            return super().lstm_cell(activation, recurrent_activation, batch, units, dtype)
        return numba_lstm_cell.FusedLSTMCell(activation, recurrent_activation, batch, units, dtype, self._lstm,
                                             self._lstm_sequence)

    def _simple_rnn_kernels(self, activation, *arrays):
        # the whole-loop kernels: exactly tanh, float32, contiguous arrays, SciPy installed
        from .. import activations

        if self._simple_rnn_sequence is None or type(activation) is not activations.Tanh:
            return None
        if not all(array.dtype == np.float32 and array.flags.c_contiguous for array in arrays):
            return None
        return self._simple_rnn_sequence

    def simple_rnn_scan(self, activation, projected, recurrent_kernel, hidden, new, step_mask, state_keep):
        recurrent_kernel = np.ascontiguousarray(recurrent_kernel)
        kernels = self._simple_rnn_kernels(activation, projected, recurrent_kernel, hidden, new,
                                           *(() if state_keep is None else (state_keep,)))
        if kernels is None:
            return False
        batch, units = projected.shape[1:]
        kernels.forward(projected, recurrent_kernel, hidden, new, *numba_lstm_cell.mask_arguments(step_mask),
                        *numba_lstm_cell.keep_arguments(state_keep), np.empty((batch, units), dtype=np.float32),
                        np.empty((batch, units), dtype=np.float32))
        return True

    def simple_rnn_scan_backward(self, activation, grad_sequence, grad_next, new, step_mask, state_keep,
                                 recurrent_kernel, grad_preactivations):
        transposed_kernel = np.ascontiguousarray(recurrent_kernel.T)
        kernels = self._simple_rnn_kernels(activation, grad_sequence, grad_next, new, transposed_kernel,
                                           grad_preactivations, *(() if state_keep is None else (state_keep,)))
        if kernels is None:
            return False
        kernels.backward(grad_sequence, grad_next, new, *numba_lstm_cell.mask_arguments(step_mask),
                         *numba_lstm_cell.keep_arguments(state_keep), transposed_kernel, grad_preactivations,
                         np.empty_like(grad_next), np.empty_like(grad_next))
        return True

    @staticmethod
    def _whole_loop_arrays(*arrays):
        return all(array is None or (array.dtype == np.float32 and array.flags.c_contiguous) for array in arrays)

    def gru_reset_before_scan(self, activation, recurrent_activation, projected, recurrent_kernel, hidden, gates,
                              reset_hidden, step_mask, state_keep):
        units = hidden.shape[-1]
        if self._gru_sequence is None or not numba_lstm_cell.fusable(activation, recurrent_activation, np.float32) \
                or not self._whole_loop_arrays(projected, recurrent_kernel, hidden, gates, reset_hidden, state_keep):
            return False
        batch = projected.shape[1]
        self._gru_sequence.forward(
            projected, np.ascontiguousarray(recurrent_kernel[:, :2 * units]),
            np.ascontiguousarray(recurrent_kernel[:, 2 * units:]), hidden, gates, reset_hidden,
            *numba_lstm_cell.mask_arguments(step_mask), *numba_lstm_cell.keep_arguments(state_keep),
            np.empty((batch, 2 * units), dtype=np.float32), np.empty((batch, units), dtype=np.float32),
            np.empty((batch, units), dtype=np.float32))
        return True

    def gru_reset_before_scan_backward(self, activation, recurrent_activation, grad_sequence, grad_next, hidden,
                                       gates, step_mask, state_keep, recurrent_kernel, grad_preactivations,
                                       grad_recurrent):
        units = hidden.shape[-1]
        if self._gru_sequence is None or not numba_lstm_cell.fusable(activation, recurrent_activation, np.float32) \
                or not self._whole_loop_arrays(grad_sequence, grad_next, hidden, gates, recurrent_kernel,
                                               grad_preactivations, grad_recurrent, state_keep):
            return False
        batch = grad_next.shape[0]
        scratch = [np.empty((batch, width), dtype=np.float32) for width in (2 * units, units, units, units)]
        self._gru_sequence.backward(
            grad_sequence, grad_next, hidden, gates, *numba_lstm_cell.mask_arguments(step_mask),
            *numba_lstm_cell.keep_arguments(state_keep), np.ascontiguousarray(recurrent_kernel[:, :2 * units].T),
            np.ascontiguousarray(recurrent_kernel[:, 2 * units:].T), grad_preactivations, grad_recurrent, *scratch)
        return True

    def gru_cell(self, activation, recurrent_activation, batch, units, dtype):
        if not numba_lstm_cell.fusable(activation, recurrent_activation, dtype):
            return super().gru_cell(activation, recurrent_activation, batch, units, dtype)
        return numba_gru_cell.FusedGRUCell(activation, recurrent_activation, batch, units, dtype, self._gru)

    # ----- optimizers -------------------------------------------------------------------
    def update_parameters(self, optimizer, values, grads, learning_rate):
        step = self._steps.fused_step(optimizer, values, grads, learning_rate, self._optimizer_kernels)
        if step is None:
            return super().update_parameters(optimizer, values, grads, learning_rate)
        kernel, arguments = step
        if values.size < 2 * threads.MIN_ELEMENTS:  # one call: a small model's step is mostly overhead
            kernel(values, grads, *arguments)
            return
        sliced = [index for index, argument in enumerate(arguments) if isinstance(argument, np.ndarray) and argument.size]

        def run(start, stop):  # the kernels release the GIL: chunks run in threads
            chunk = list(arguments)
            for index in sliced:
                chunk[index] = arguments[index][start:stop]
            kernel(values[start:stop], grads[start:stop], *chunk)

        self.over_batch(run, values.size, values.size)


# Fewest input elements of a tile pooling (forward or backward) shared among the threads. Its
# kernels take about 0.1 ms a million elements on one core, less than handing half to the
# second thread saves: W4's second pooling (991,232 elements, loaded machine, layer by layer)
# took 0.13 + 0.10 ms on one thread and 0.17 + 0.14 ms split over two; its first pooling
# (2,768,896) 0.83 + 0.49 ms on one and 0.43 + 0.31 ms on two.
POOL_SPLIT_ELEMENTS = 1 << 21


def _split_pooling(ops, function, batch, elements):
    """``ops.over_batch(function, batch, elements)`` for a pooling job of at least
    POOL_SPLIT_ELEMENTS elements, else one call in this thread."""
    if elements < POOL_SPLIT_ELEMENTS:
        function(0, batch)
    else:
        ops.over_batch(function, batch, elements)


def _over_batch_with_blas(function, batch, elements, bounds=None):
    """``threads.over_batch(function, batch, elements)`` for a `function` that runs matrix
    products: with several chunks, each thread runs its own products on one BLAS thread.

    A convolution's products over cache-sized chunks are too small for BLAS's threads
    (waking and joining them for every product of a few milliseconds), and between them
    im2col and col2im ran on one core. Splitting the batch itself keeps both cores busy
    throughout, with no hand-off inside a part. `bounds` are ``threads._bounds``' chunk
    boundaries, when the caller needed them first.
    """
    bounds = threads._bounds(batch, elements) if bounds is None else bounds
    if len(bounds) == 2:
        function(0, batch)
        return
    with blas.one_thread_if_small(0):  # zero multiply-adds: always one BLAS thread in the block
        threads._run(function, bounds)


# Fewest elements in a window's row (kernel width x channels) for which backward makes the
# im2col columns again rather than forward keeping them (see NumbaOps.needs_columns): one
# 512-bit vector of float32.
_RECOMPUTED_ROW = 16


_LOW_64 = (1 << 64) - 1


def _halves(number):
    """A 128-bit integer as its (high, low) 64-bit halves, numba's uint64s."""
    return np.uint64(number >> 64), np.uint64(number & _LOW_64)


# Fewest elements of a bias + activation pass (or its backward, or a bias gradient) shared
# among the threads: handing a chunk to the pool's thread costs about 50 us, and one pass of
# these kernels over 2^19 float32 takes 0.1-0.2 ms on one core.
SPLIT_ELEMENTS = 1 << 19


def _split(function, count, elements):
    """``function(start, stop)`` over ``range(count)``: in one call for a small job (no thread
    hand-off, nor even a look at the thread count), else in chunks shared among the threads,
    as ``threads.over_batch`` does (W5's 512 x 2048 activations: the second core, idle
    between BLAS's products, takes half of each elementwise pass).

    Small means under SPLIT_ELEMENTS."""
    if elements < SPLIT_ELEMENTS or threading.current_thread().name.startswith(_WORKER_PREFIX):
        function(0, count)  # a worker thread waiting on the pool it runs in could wait forever
    else:
        threads.over_batch(function, count, elements)


_WORKER_PREFIX = "gradwise_"  # threads._executor's worker threads: "gradwise_0", ...

_NO_BIAS = {}


def _no_bias(dtype, features):
    """A bias that adds nothing: -0.0s (x + -0.0 is x for every x, -0.0 included)."""
    key = (dtype, features)
    if key not in _NO_BIAS:
        _NO_BIAS[key] = np.full(features, -0.0, dtype=dtype)
    return _NO_BIAS[key]


def _over_rows(array, axes):
    """Whether `array` is a C-contiguous float array reduced over every axis but its last
    (features last), with at least one row: the batch normalization kernels' case."""
    return (_fusable(array) and array.ndim >= 2 and tuple(axes) == tuple(range(array.ndim - 1))
            and array.size > 0)


def _fusable(array):
    return array.dtype in _FLOATS and array.flags.c_contiguous
