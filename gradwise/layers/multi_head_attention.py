"""MultiHeadAttention: Keras's multi-head scaled dot-product attention (Vaswani et al. 2017).

For a query (batch, Tq, dq), a value (batch, Tv, dv) and a key (batch, Tv, dk; the value
when not given), with H heads of key size K and value size D:

    Q = query Wq + bq,  Kh = key Wk + bk,  V = value Wv + bv        (batch, steps, H, K or D)
    S = Q Khᵀ / sqrt(K), -1e9 where masked                          (batch, H, Tq, Tv)
    A = softmax(S over Tv), 0 where masked,  O = dropout(A) V       (batch, Tq, H, D)
    outputs = O Wo + bo                                             (batch, Tq, out)

Weights as Keras's (and in its order): 'query/kernel' (dq, H, K), 'query/bias' (H, K),
'key/kernel' (dk, H, K), 'key/bias', 'value/kernel' (dv, H, D), 'value/bias' (H, D),
'attention_output/kernel' (H, D, out), 'attention_output/bias' (out,); `out` is the query's
features unless ``output_shape`` says otherwise. Masks follow Keras 3's Softmax: a query step
whose every value step is masked gets zero weights (not a uniform average).
"""

import math

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from . import masking
from ._attention_calls import AttentionCalls, softmax_last_axis
from .base import Layer
from .dropout import _check_seed

_MASKED = -1e9  # the score of a masked step (Keras's Softmax with a mask)


class MultiHeadAttention(AttentionCalls, Layer):
    """Keras's ``MultiHeadAttention``: ``layer(query, value, key=None, ...)``.

    Besides ``training``, a call takes Keras's ``value_mask``/``key_mask`` ((batch, steps), else
    the inputs' own masks: masked value steps get no weight), ``query_mask`` (the outputs' mask;
    as in Keras 3, a masked query step still attends), ``attention_mask`` ((batch, Tq, Tv); on
    arrays only), ``use_causal_mask`` and ``return_attention_scores`` (also return the
    softmax weights, (batch, heads, Tq, Tv), before dropout). The last two fix the layer's
    outputs, so a layer object keeps the ones of its first call.

    Parameters
    ----------
    num_heads : int
    key_dim : int
        Size of each head for the query and the key.
    value_dim : int, optional
        Size of each head for the value (default `key_dim`).
    dropout : float in [0, 1), default 0.0
        Dropout on the attention weights in training.
    use_bias : bool, default True
    output_shape : int or tuple of one int, optional
        Features of the outputs (default: the query's).
    attention_axes : None
        Only None (attention over the steps axis) is supported.
    kernel_initializer, bias_initializer : default 'glorot_uniform', 'zeros'
    kernel_regularizer, bias_regularizer, activity_regularizer : optional
    kernel_constraint, bias_constraint : optional
    seed : int, optional
        Seed of the dropout masks.

    Examples
    --------
    >>> MultiHeadAttention(num_heads=2, key_dim=8)
    <MultiHeadAttention name='multi_head_attention'>
    """

    multi_input = True
    takes_mask = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, seed=None, **kwargs):
        self._init_call_options(kwargs)
        super().__init__(**kwargs)
        owner = "MultiHeadAttention"
        self.num_heads = _checks.positive_int(owner, "num_heads", num_heads)
        self.key_dim = _checks.positive_int(owner, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else _checks.positive_int(owner, "value_dim", value_dim)
        self.dropout = _checks.fraction(owner, "dropout", dropout)
        self.use_bias = bool(use_bias)
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise ValueError(f"{owner}: `output_shape` must be an int or a tuple of one int (the output "
                                 f"features), got {output_shape!r}.")
            output_shape = output_shape[0]
        self.output_features = None if output_shape is None else _checks.positive_int(owner, "output_shape",
                                                                                      output_shape)
        if attention_axes is not None:
            raise ValueError(f"{owner}: only attention over the steps axis is supported (`attention_axes=None`), "
                             f"got {attention_axes!r}.")
        self.flash_attention = flash_attention  # accepted for Keras code; the computation is the same
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = _check_seed(owner, seed)
        self._rng = None

    # ----- calls --------------------------------------------------------------------------
    def __call__(self, query, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
                 attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False, rng=None,
                 mask=None):
        if value is None and isinstance(query, (list, tuple)):  # the graph engine's call: a list of inputs
            return super().__call__(query, training, rng, mask)
        if value is None:
            raise TypeError(f"MultiHeadAttention '{self.name}' must be called as layer(query, value, key=None).")
        self._fix_call_options(return_attention_scores, use_causal_mask)
        inputs = [query, value] if key is None else [query, value, key]
        masks = [query_mask, value_mask, key_mask][:len(inputs)]
        if attention_mask is not None:
            from . import symbolic

            if symbolic.is_symbolic(attention_mask) or any(symbolic.is_symbolic(x) for x in inputs):
                raise ValueError(f"MultiHeadAttention '{self.name}': `attention_mask` is taken on arrays only; in a "
                                 "model, give the inputs masks (Embedding(mask_zero=True), Masking) or "
                                 "use_causal_mask=True.")
            masks = masks + [None] * (3 - len(masks)) + [np.asarray(attention_mask, dtype=bool)]
        given = any(item is not None for item in masks)
        return super().__call__(inputs, training, rng, masks if given else None)

    # ----- shapes and weights -------------------------------------------------------------
    def _shapes(self, input_shape):
        return self._sequence_shapes(input_shape, "a query, a value and optionally a key")

    def compute_output_shape(self, input_shape):
        query, value, _ = self._shapes(input_shape)
        outputs = (query[0], self.output_features or query[1])
        return [outputs, (self.num_heads, query[0], value[0])] if self._options[0] else outputs

    def compute_mask(self, inputs, mask):
        query_mask = mask[0] if isinstance(mask, (list, tuple)) and mask else None
        return [query_mask, None] if self._options[0] else query_mask

    def build(self, input_shape, rng):
        query, value, key = self._shapes(input_shape)
        heads = self.num_heads
        out = self.output_features or query[1]
        shapes = {"query": ((query[1], heads, self.key_dim), (heads, self.key_dim)),
                  "key": ((key[1], heads, self.key_dim), (heads, self.key_dim)),
                  "value": ((value[1], heads, self.value_dim), (heads, self.value_dim)),
                  "attention_output": ((heads, self.value_dim, out), (out,))}
        for name, (kernel_shape, bias_shape) in shapes.items():  # Keras's order: each kernel, then its bias
            self.params[f"{name}/kernel"] = self.kernel_initializer(kernel_shape, self.dtype, rng)
            if self.kernel_regularizer is not None:
                self.regularizers[f"{name}/kernel"] = self.kernel_regularizer
            if self.kernel_constraint is not None:
                self.constraints[f"{name}/kernel"] = self.kernel_constraint
            if self.use_bias:
                self.params[f"{name}/bias"] = self.bias_initializer(bias_shape, self.dtype, rng)
                if self.bias_regularizer is not None:
                    self.regularizers[f"{name}/bias"] = self.bias_regularizer
                if self.bias_constraint is not None:
                    self.constraints[f"{name}/bias"] = self.bias_constraint
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    # ----- forward and backward -----------------------------------------------------------
    def _project(self, name, inputs):
        """inputs (batch, steps, features) @ kernel (features, H, size) + bias: (batch, steps, H, size)."""
        kernel = self.params[f"{name}/kernel"]
        projected = (inputs @ kernel.reshape(kernel.shape[0], -1)).reshape(*inputs.shape[:2], *kernel.shape[1:])
        return projected + self.params[f"{name}/bias"] if self.use_bias else projected

    def _allowed(self, inputs, mask):
        """The (batch, Tq, Tv) boolean mask of the scores that count, or None when all do."""
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
        masks += [None] * (4 - len(masks))
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        checked = [masking.check_mask(self, array, item) for array, item in zip((query, value, key), masks[:3])]
        allowed = None  # the query's mask is the outputs' mask only (compute_mask), as in Keras 3
        for part in (None if checked[1] is None else checked[1][:, None, :],
                     None if checked[2] is None or len(inputs) == 2 else checked[2][:, None, :]):
            if part is not None:
                allowed = part if allowed is None else allowed & part
        if masks[3] is not None:
            given = np.asarray(masks[3], dtype=bool)
            expected = (query.shape[0], query.shape[1], value.shape[1])
            if given.shape != expected:
                raise ValueError(f"MultiHeadAttention '{self.name}': `attention_mask` must have shape (batch, Tq, Tv) "
                                 f"= {expected}, got {given.shape}.")
            allowed = given if allowed is None else allowed & given
        if self._options[1]:
            causal = np.tril(np.ones((query.shape[1], value.shape[1]), dtype=bool))[None]
            allowed = causal if allowed is None else allowed & causal
        return None if allowed is None else np.broadcast_to(allowed, (query.shape[0], query.shape[1], value.shape[1]))

    def forward(self, inputs, training=False, mask=None):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        q = self._project("query", query) * (1.0 / math.sqrt(self.key_dim))
        k = self._project("key", key)
        v = self._project("value", value)
        scores = q.transpose(0, 2, 1, 3) @ k.transpose(0, 2, 3, 1)  # (batch, H, Tq, Tv)
        allowed = self._allowed(inputs, mask)
        if allowed is not None:
            scores = np.where(allowed[:, None], scores, scores.dtype.type(_MASKED))
        weights = softmax_last_axis(scores)
        if allowed is not None:  # zero where masked, also where a whole row is (softmax would be uniform there)
            weights = np.where(allowed[:, None], weights, 0).astype(weights.dtype, copy=False)
        dropped, keep = weights, None
        if training and self.dropout > 0:
            dropped, keep = self.ops.dropout(weights, self._rng, weights.shape, self.dropout)
        heads = (dropped @ v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)  # (batch, Tq, H, D)
        kernel = self.params["attention_output/kernel"]
        outputs = heads.reshape(*heads.shape[:2], -1) @ kernel.reshape(-1, kernel.shape[-1])
        if self.use_bias:
            outputs = outputs + self.params["attention_output/bias"]
        cache = (query, value, key, len(inputs), q, k, v, weights, dropped, keep, heads)
        return ([outputs, weights] if self._options[0] else outputs), cache

    def _project_backward(self, name, inputs, grad, accumulate):
        """Gradients of ``inputs @ kernel + bias`` for grad (batch, steps, H, size): params written, inputs' returned."""
        kernel = self.params[f"{name}/kernel"]
        flat = grad.reshape(-1, math.prod(grad.shape[2:]))
        rows = inputs.reshape(-1, inputs.shape[-1])
        self._write_grad(f"{name}/kernel", (rows.T @ flat).reshape(kernel.shape), accumulate)
        if self.use_bias:
            self._write_grad(f"{name}/bias", flat.sum(axis=0).reshape(kernel.shape[1:]), accumulate)
        return (flat @ kernel.reshape(kernel.shape[0], -1).T).reshape(inputs.shape)

    # out = O Wo + bo => dO = dout Woᵀ; O = D V => dD = dO Vᵀ, dV = Dᵀ dO; D = A·keep => dA = dD·keep (+ the
    # scores' own upstream); A = softmax(S) => dS = A (dA - Σ dA A); S = Q Kᵀ / sqrt(K) => dQ = dS K / sqrt(K),
    # dK = dSᵀ Q / sqrt(K) (Q here already scaled); each projection X W + b => dW = Xᵀ dY, db = Σ dY, dX = dY Wᵀ
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        query, value, key, count, q, k, v, weights, dropped, keep, heads = cache
        grad_weights_given = None
        if self._options[0]:
            grad_outputs, grad_weights_given = grad_outputs
        kernel = self.params["attention_output/kernel"]
        if grad_outputs is None:
            grad_outputs = np.zeros((*query.shape[:2], kernel.shape[-1]), dtype=query.dtype)
        rows = grad_outputs.reshape(-1, kernel.shape[-1])
        self._write_grad("attention_output/kernel",
                    (heads.reshape(rows.shape[0], -1).T @ rows).reshape(kernel.shape), accumulate)
        if self.use_bias:
            self._write_grad("attention_output/bias", rows.sum(axis=0), accumulate)
        grad_heads = (rows @ kernel.reshape(-1, kernel.shape[-1]).T).reshape(heads.shape).transpose(0, 2, 1, 3)
        grad_v = (dropped.transpose(0, 1, 3, 2) @ grad_heads).transpose(0, 2, 1, 3)  # (batch, Tv, H, D)
        grad_dropped = grad_heads @ v.transpose(0, 2, 3, 1)  # (batch, H, Tq, Tv)
        grad_weights = grad_dropped if keep is None else grad_dropped * keep
        if grad_weights_given is not None:
            grad_weights = grad_weights + grad_weights_given
        grad_scores = weights * (grad_weights - (grad_weights * weights).sum(axis=-1, keepdims=True))
        grad_q = (grad_scores @ k.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3) * (1.0 / math.sqrt(self.key_dim))
        grad_k = (grad_scores.transpose(0, 1, 3, 2) @ q.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
        grad_query = self._project_backward("query", query, grad_q, accumulate)
        grad_key = self._project_backward("key", key, grad_k, accumulate)
        grad_value = self._project_backward("value", value, grad_v, accumulate)
        if not input_grad:
            return None
        if count == 2:  # the value was also the key
            return [grad_query, grad_value + grad_key]
        return [grad_query, grad_value, grad_key]

    def get_config(self):
        config = {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                  "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                  "output_shape": self.output_features, "attention_axes": None,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                  "kernel_constraint": constraints.serialize(self.kernel_constraint),
                  "bias_constraint": constraints.serialize(self.bias_constraint), "seed": self.seed}
        return {**config, **self._call_options_config()}
