"""NumpyOps: the seam's kernels in NumPy, tuned for the CPU.

The tuning lives here and in the modules it calls: batch chunks in a few threads for
memory-bound work (``threads``), im2col convolutions over cache-sized chunks (``conv``),
pooling from cache-sized slabs (``pool_tiles``), dropout masks from raw random bits, and
the optimizer step computed block by block in a per-thread scratch buffer.
"""

import functools
import math
import threading

import numpy as np

from . import conv, pool_tiles, threads
from .gru_cell import GRUCell
from .lstm_cell import LSTMCell
from .base import Ops

# Elements per block of the blocked optimizer update: Adam's five arrays of a block take
# 1.3 MB, within a core's share of the cache. Measured on W3's 669,706 parameters (2 cores):
# 2^14 cost 2.9 ms a step, 2^16 1.9-2.2 ms; past that, no further gain.
BLOCK_ELEMENTS = 1 << 16

# One scratch array per thread, shared by all optimizers (see NumpyOps.scratch); kept
# out of the optimizer so that optimizers stay plain, copyable objects.
_SCRATCH = threading.local()


def random_keep(rng, shape, rate):
    """Booleans of `shape`, each True with probability 1 - rate.

    Each unit compares 32 raw random bits (two units per 64-bit draw) with rate * 2^32:
    half the draws of uniform floats and no float conversion, which halves the cost of a
    mask; the keep probability is exact to 2^-32.
    """
    count = math.prod(shape)
    bits = rng.bit_generator.random_raw((count + 1) // 2).view(np.uint32)[:count]
    return (bits >= keep_threshold(rate)).reshape(shape)


@functools.lru_cache(maxsize=64)
def keep_threshold(rate):
    """The 32-bit threshold at or above which a unit is kept: rate * 2^32, rounded (looked up:
    a model's rates are few and every training step of each dropout layer asks)."""
    return np.uint32(min(round(rate * 2.0**32), 2**32 - 1))


class NumpyOps(Ops):
    """The seam in NumPy: every kernel, with today's CPU tuning."""

    name = "numpy"

    # ----- threads ------------------------------------------------------------------
    def thread_count(self):
        return threads.thread_count()

    def over_batch(self, function, batch, elements):
        threads.over_batch(function, batch, elements)

    def map_batch(self, function, *arrays):
        return threads.map_batch(function, *arrays)

    # ----- activations and dropout ------------------------------------------------------
    def activate(self, activation, preactivation, bias=None):
        if bias is not None:
            preactivation += bias
        return activation.forward(preactivation)

    def activate_backward(self, activation, grad_outputs, preactivation, outputs):
        return activation.backward(grad_outputs, preactivation, outputs)

    def column_sums(self, rows, out):
        return np.add.reduce(rows, axis=0, out=out)  # np.sum without its wrapper

    def dropout(self, inputs, rng, mask_shape, rate):
        keep = random_keep(rng, mask_shape, rate)
        mask = np.multiply(keep, 1.0 / (1.0 - rate), dtype=inputs.dtype)
        return inputs * mask, mask

    # ----- losses -----------------------------------------------------------------------
    def sparse_cross_entropy(self, probabilities, labels, tiny):
        rows = np.arange(probabilities.shape[0])
        picked = probabilities[rows, labels]
        losses = -np.log(picked) if picked.min() > tiny else None
        grad = probabilities.copy()
        grad[rows, labels] -= 1
        return losses, grad

    def sigmoid_cross_entropy(self, logits, targets):
        # one exp(-|z|) for both: it never overflows; sigmoid(z) = 1/(1+e) for z >= 0 and e/(1+e) below
        e = np.abs(logits)
        np.negative(e, out=e)
        np.exp(e, out=e)
        losses = np.maximum(logits, 0) - logits * targets + np.log1p(e)
        grad = np.where(logits >= 0, 1.0, e) / (1.0 + e) - targets
        return losses, grad

    # ----- batch normalization -------------------------------------------------------------
    def moments(self, inputs, axes):
        return inputs.mean(axis=axes), inputs.var(axis=axes)

    def normalize(self, inputs, mean, inv_std, gamma, beta, shape):
        normalized = (inputs - mean.reshape(shape)) * inv_std.reshape(shape)
        outputs = normalized * gamma.reshape(shape) if gamma is not None else normalized.copy()
        if beta is not None:
            outputs += beta.reshape(shape)
        return normalized, outputs

    def normalize_backward(self, grad_outputs, normalized, axes, shape, scale, batch_statistics, input_grad):
        grad_beta = np.sum(grad_outputs, axis=axes)
        grad_gamma = np.sum(grad_outputs * normalized, axis=axes)
        if not input_grad:
            return grad_beta, grad_gamma, None
        if not batch_statistics:
            return grad_beta, grad_gamma, grad_outputs * scale.reshape(shape)
        count = normalized.size // scale.size
        grad_inputs = normalized * (grad_gamma / count).reshape(shape)
        np.subtract(grad_outputs, grad_inputs, out=grad_inputs)
        grad_inputs -= (grad_beta / count).reshape(shape)
        grad_inputs *= scale.reshape(shape)
        return grad_beta, grad_gamma, grad_inputs

    # ----- convolution and pooling ------------------------------------------------------
    def columns(self, images, pads, out_size, kernel, strides, dilation, depth, dtype):
        return conv.columns(images, pads, out_size, kernel, strides, dilation, depth, dtype)

    def columns_product(self, images, padded, buffer, weights, pads, out_size, kernel, strides, dilation):
        return conv.columns_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation)

    def activated_columns_product(self, activation, images, padded, buffer, weights, pads, out_size, kernel, strides,
                                  dilation):
        outputs = self.columns_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation)
        return outputs, self.map_batch(functools.partial(self.activate, activation), outputs)

    def columns_gradient(self, cols, grad, out, accumulate=False):
        return conv.columns_gradient(cols, grad, out, accumulate)

    def activated_columns_gradient(self, activation, grad_outputs, preactivation, outputs, cols, out,
                                   accumulate=False, keep=True):
        grad = self.map_batch(functools.partial(self.activate_backward, activation), grad_outputs, preactivation,
                              outputs)
        grad = np.asarray(grad, dtype=cols.dtype).reshape(len(cols), -1)
        self.columns_gradient(cols, grad, out, accumulate)
        return grad

    def scatter_products(self, grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel, strides, dilation,
                         buffers):
        conv.scatter_products(grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel, strides, dilation,
                              buffers)

    def live_activation_backward(self, activation, grad_outputs, preactivation, outputs):
        grad = self.map_batch(functools.partial(self.activate_backward, activation), grad_outputs, preactivation,
                              outputs)
        live = conv.live_extent(grad)
        return conv.live_rows(grad, live), live

    def kernel_and_input_gradients(self, live_grad, cols, images, kernel_t, grad_weights, accumulate, grad_padded,
                                   grad_inputs, pads, out_size, live, kernel, strides, dilation, buffers):
        if cols is None:  # a forward on kernels that make the columns again (see needs_columns)
            cols = self.columns(images, pads, out_size, kernel, strides, dilation, grad_weights.shape[0],
                                grad_weights.dtype)
        conv.live_columns_gradient(cols.reshape(len(images), *out_size, -1), live_grad, live, grad_weights,
                                   accumulate)
        self.scatter_products(live_grad, kernel_t, grad_padded, grad_inputs, pads, live, kernel, strides, dilation,
                              buffers)

    def tile_pool(self, images, outputs, masks, pool, mode):
        def run(start, stop):
            pool_tiles.forward(images[start:stop], outputs[start:stop],
                               None if masks is None else masks[:, start:stop], pool, mode)

        self.over_batch(run, len(images), images.size)

    def tile_pool_backward(self, grad, masks, grad_inputs, pool):
        def run(start, stop):
            pool_tiles.backward(grad[start:stop], None if masks is None else masks[:, start:stop],
                                grad_inputs[start:stop], pool)

        self.over_batch(run, len(grad), grad_inputs.size)

    def first_maxima(self, slabs, outputs, masks, taken):
        pool_tiles.first_maxima(slabs, outputs, masks, taken)

    # ----- recurrent cells ----------------------------------------------------------------
    def lstm_cell(self, activation, recurrent_activation, batch, units, dtype):
        return LSTMCell(activation, recurrent_activation, batch, units, dtype)

    def gru_cell(self, activation, recurrent_activation, batch, units, dtype):
        return GRUCell(activation, recurrent_activation, batch, units, dtype)

    # ----- optimizers -------------------------------------------------------------------
    def update_parameters(self, optimizer, values, grads, learning_rate):
        """The optimizer's own NumPy update (``optimizer._update``), one cache-sized block at
        a time when the model is large, blocks shared by threads.

        A dozen passes of Adam over a block that stays in the CPU cache cost about one pass
        over main memory, where a dozen passes over the whole model would cost a dozen.
        """
        size = values.size
        if size <= BLOCK_ELEMENTS:
            optimizer._update(values, grads, optimizer.slots, learning_rate)
            return
        scalars = {name: slot for name, slot in optimizer.slots.items() if np.ndim(slot) == 0}
        arrays = {name: slot for name, slot in optimizer.slots.items() if np.ndim(slot) != 0}

        def run(first_block, stop_block):
            for start in range(first_block * BLOCK_ELEMENTS, min(stop_block * BLOCK_ELEMENTS, size), BLOCK_ELEMENTS):
                stop = start + BLOCK_ELEMENTS
                block_slots = {name: slot[start:stop] for name, slot in arrays.items()}
                block_slots.update(scalars)
                optimizer._update(values[start:stop], grads[start:stop], block_slots, learning_rate)

        self.over_batch(run, -(-size // BLOCK_ELEMENTS), size)

    def scratch(self, like):
        buffer = getattr(_SCRATCH, "buffer", None)
        if buffer is None or buffer.size < like.size or buffer.dtype != like.dtype:
            buffer = _SCRATCH.buffer = np.empty(max(like.size, BLOCK_ELEMENTS), dtype=like.dtype)
        return buffer[:like.size].reshape(like.shape)
