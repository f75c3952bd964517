"""The array seam: the numeric kernels that layers and optimizers call, behind one object.

A layer file holds its math; whatever is about how that math runs on a machine (threads,
cache blocking, scratch buffers, compiled or device kernels) lives in an ``Ops``
implementation. ``gradwise.ops.get_ops()`` returns the one in use. An implementation
subclasses ``Ops`` (or an existing implementation, overriding the kernels it does better)
and registers itself under its ``name``; nothing else has to change to add one.

Every kernel keeps the float dtype of its inputs and, unless it says otherwise, never
modifies its arguments.
"""

from .. import registry


class Ops:
    """Base class of array backends: the contract each implementation fulfils.

    A subclass sets ``name`` (the key of ``set_ops`` and of the ``GRADWISE_OPS``
    environment variable) and registers itself by subclassing; ``register=False`` keeps
    an abstract one out of the registry. ``available()`` says whether it can run here
    (a compiled implementation whose compiler is not installed cannot).
    """

    name = "ops"

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("ops", cls, cls.name)

    @classmethod
    def available(cls):
        """Whether this implementation can run in this process."""
        return True

    @classmethod
    def unavailable_reason(cls):
        """Why ``available()`` is False here (e.g. the package it needs is not installed)."""
        return "not available in this process"

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"

    # ----- threads ------------------------------------------------------------------
    def thread_count(self):
        """Threads this implementation uses for elementwise work."""
        raise NotImplementedError

    def over_batch(self, function, batch, elements):
        """Call ``function(start, stop)`` on batch chunks that together cover ``range(batch)``;
        `elements` (the job's size) tells whether splitting it pays."""
        raise NotImplementedError

    def map_batch(self, function, *arrays):
        """``function(*arrays)`` for a function that treats each sample on its own."""
        raise NotImplementedError

    # ----- activations and dropout ------------------------------------------------------
    def activate(self, activation, preactivation, bias=None):
        """``activation.forward(preactivation + bias)``; the bias (when given) is added to
        `preactivation` in place, as the layer caches the biased pre-activation."""
        raise NotImplementedError

    def activate_backward(self, activation, grad_outputs, preactivation, outputs):
        """The gradient w.r.t. the pre-activation: ``activation.backward(...)``."""
        raise NotImplementedError

    def column_sums(self, rows, out):
        """``rows.sum(axis=0)`` of a 2-D `rows` into `out` (a Dense layer's bias gradient),
        each column summed over the rows in order, as NumPy's reduction does."""
        raise NotImplementedError

    def dropout(self, inputs, rng, mask_shape, rate):
        """(outputs, mask): a fresh mask of `mask_shape` from `rng` whose units are 0 with
        probability `rate` and ``1 / (1 - rate)`` otherwise, and ``inputs * mask``."""
        raise NotImplementedError

    # ----- losses -----------------------------------------------------------------------
    def sparse_cross_entropy(self, probabilities, labels, tiny):
        """(losses, grad) of sparse categorical cross-entropy after a softmax, from the
        (rows, classes) `probabilities` and integer `labels`: ``-log p[label]`` per row
        (None when a picked probability is at or below `tiny`, too small for an exact log)
        and the gradient w.r.t. the logits, ``p - onehot(label)``, unscaled."""
        raise NotImplementedError

    def sigmoid_cross_entropy(self, logits, targets):
        """(losses, grad) of binary cross-entropy from `logits` and `targets` of the same shape,
        element by element: ``max(z, 0) - z y + log1p(exp(-|z|))`` and the gradient w.r.t. the
        logits, ``sigmoid(z) - y``, unscaled."""
        raise NotImplementedError

    # ----- batch normalization -------------------------------------------------------------
    def moments(self, inputs, axes):
        """(mean, variance) of `inputs` over `axes`: the batch statistics, biased variance."""
        raise NotImplementedError

    def normalize(self, inputs, mean, inv_std, gamma, beta, shape):
        """(normalized, outputs): ``(inputs - mean) * inv_std`` and ``normalized * gamma + beta``,
        the vectors reshaped to `shape` to broadcast; gamma or beta None when absent."""
        raise NotImplementedError

    def normalize_backward(self, grad_outputs, normalized, axes, shape, scale, batch_statistics, input_grad):
        """(grad_beta, grad_gamma, grad_inputs) of ``normalize`` (see BatchNormalization's
        backward): `scale` is ``gamma * inv_std`` (or inv_std); grad_inputs is None unless
        `input_grad`."""
        raise NotImplementedError

    # ----- convolution and pooling ------------------------------------------------------
    def needs_columns(self, dtype, kernel, channels):
        """Whether a convolution (a (kernel_h, kernel_w) `kernel` over images of `channels`)
        has its backward read the im2col columns its forward made (in the `buffer` given to
        ``columns_product``); when not, forward gets no buffer and backward gets None for
        the columns, and makes what it needs again from the inputs."""
        return True

    def columns(self, images, pads, out_size, kernel, strides, dilation, depth, dtype):
        """The im2col columns of `images` (batch * out_h * out_w, depth) of `dtype`, ones past the
        window's columns (the bias's): what a forward without a buffer did not keep."""
        raise NotImplementedError

    def columns_product(self, images, padded, buffer, weights, pads, out_size, kernel, strides, dilation):
        """A convolution's forward: im2col of `images` times `weights` (see ``ops.conv``);
        `buffer` is None when ``needs_columns`` says the columns need not be kept."""
        raise NotImplementedError

    def activated_columns_product(self, activation, images, padded, buffer, weights, pads, out_size, kernel, strides,
                                  dilation):
        """``columns_product``'s (pre-activation, ``activation`` of it), both (rows, filters),
        for an activation that treats each sample on its own."""
        raise NotImplementedError

    def columns_gradient(self, cols, grad, out, accumulate=False):
        """A convolution's kernel gradient ``cols.T @ grad`` into `out`, added to it when
        `accumulate` (see ``ops.conv.columns_gradient``)."""
        raise NotImplementedError

    def activated_columns_gradient(self, activation, grad_outputs, preactivation, outputs, cols, out,
                                   accumulate=False, keep=True):
        """``columns_gradient(cols, dz, out, accumulate)`` with dz the gradient w.r.t. the
        pre-activation, ``activate_backward``'s (an activation that treats each sample on its
        own); returns dz as (rows, filters) when `keep` (the input gradient needs it)."""
        raise NotImplementedError

    def scatter_products(self, grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel, strides, dilation,
                         buffers):
        """A convolution's input gradient, written into `grad_inputs` (see ``ops.conv``)."""
        raise NotImplementedError

    def live_activation_backward(self, activation, grad_outputs, preactivation, outputs):
        """(dz's rows inside its live extent, that extent) for a convolution's outputs (batch,
        out_h, out_w, filters): dz = ``activate_backward``'s, the extent ``ops.conv.live_extent``
        of it and the rows ``ops.conv.live_rows``'."""
        raise NotImplementedError

    def kernel_and_input_gradients(self, live_grad, cols, images, kernel_t, grad_weights, accumulate, grad_padded,
                                   grad_inputs, pads, out_size, live, kernel, strides, dilation, buffers):
        """Both gradients of a convolution from `live_grad`, dz's rows inside its live extent
        `live` (``ops.conv.live_rows``; dz is zero elsewhere): the kernel gradient ``cols^T dz``
        over the live positions into `grad_weights` (added to it when `accumulate`; see
        ``ops.conv.live_columns_gradient``, whose chunks and products fix its bits), and the
        input gradient into `grad_inputs`, as ``scatter_products`` gives it from the live rows.
        `cols` are the forward's columns (batch * out_h * out_w, depth), or None where forward
        did not keep them (``needs_columns``), and `images` its inputs."""
        raise NotImplementedError

    def tile_pool(self, images, outputs, masks, pool, mode):
        """Max or average pooling over windows that tile `images` (strides equal to `pool`,
        no padding), into `outputs`; max pooling fills `masks` with each window's first
        maximum (see ``ops.pool_tiles``)."""
        raise NotImplementedError

    def tile_pool_backward(self, grad, masks, grad_inputs, pool):
        """The input gradient of ``tile_pool``, written into `grad_inputs`."""
        raise NotImplementedError

    def first_maxima(self, slabs, outputs, masks, taken):
        """masks[k]: slab k holds its window's maximum and no earlier slab does."""
        raise NotImplementedError

    # ----- recurrent cells ----------------------------------------------------------------
    def lstm_cell(self, activation, recurrent_activation, batch, units, dtype):
        """The LSTM time step (gates, cell update and their derivatives, without the recurrent
        product) for one call of a layer on `batch` rows: see ``ops.lstm_cell.LSTMCell``."""
        raise NotImplementedError

    def simple_rnn_scan(self, activation, projected, recurrent_kernel, hidden, new, step_mask, state_keep):
        """Run a SimpleRNN's whole forward loop in one call where this implementation can (see
        ``layers/simple_rnn.py`` for the arrays) and say whether it did; False leaves the loop
        to the layer."""
        return False

    def simple_rnn_scan_backward(self, activation, grad_sequence, grad_next, new, step_mask, state_keep,
                                 recurrent_kernel, grad_preactivations):
        """The backward of ``simple_rnn_scan``: True when it wrote dz into `grad_preactivations`
        and the initial state's gradient into `grad_next` (which holds the final state's)."""
        return False

    def gru_reset_before_scan(self, activation, recurrent_activation, projected, recurrent_kernel, hidden, gates,
                              reset_hidden, step_mask, state_keep):
        """Run a GRU's (``reset_after=False``) whole forward loop in one call where this
        implementation can (see ``layers/gru.py`` for the arrays) and say whether it did."""
        return False

    def gru_reset_before_scan_backward(self, activation, recurrent_activation, grad_sequence, grad_next, hidden,
                                       gates, step_mask, state_keep, recurrent_kernel, grad_preactivations,
                                       grad_recurrent):
        """The backward of ``gru_reset_before_scan``: True when it wrote dz into
        `grad_preactivations`, the gradient w.r.t. the candidate's product input r h_{t-1} into
        `grad_recurrent` and the initial state's gradient into `grad_next`."""
        return False

    def gru_cell(self, activation, recurrent_activation, batch, units, dtype):
        """The GRU time step with the reset gate after the recurrent product (Keras's default),
        without the product: see ``ops.gru_cell.GRUCell``."""
        raise NotImplementedError

    # ----- whole training steps ------------------------------------------------------------
    def dense_chain_step(self):
        """The compiled forward, loss and backward of a small Dense/Dropout chain
        (``models.chain_step``; numba's: ``_numba/dense_chain.train_step``), or None where this
        implementation has none and the layers run one by one."""
        return None

    # ----- optimizers -------------------------------------------------------------------
    def update_parameters(self, optimizer, values, grads, learning_rate):
        """Apply one step of `optimizer` to the flat `values` in place (decoupled weight
        decay included), from the flat `grads` and the optimizer's slots."""
        raise NotImplementedError

    def scratch(self, like):
        """An uninitialized array shaped and typed like `like`, private to the calling thread
        and reused by its next call."""
        raise NotImplementedError
