"""Attention: Keras's dot-product (Luong) and concat (Bahdanau-style) attention over a query and a value.

With a query ``q`` (batch, Tq, dim), a value ``v`` (batch, Tv, dv) and a key ``k`` (batch, Tv, dim;
the value itself when not given):

    scores  = q kᵀ (· scale)                                         score_mode 'dot'
            = w · Σ_d tanh(scale · (q_i + k_j))_d                    score_mode 'concat'
    weights = softmax(scores - 1e9 · [step j masked], over j)        (value mask, causal mask)
    outputs = dropout(weights) v, zeroed at masked query steps

``scale`` (with `use_scale`) and ``w`` (concat) are trained scalars starting at 1, as Keras's.
"""

import numpy as np

from .. import _checks
from . import masking
from ._attention_calls import AttentionCalls, softmax_last_axis
from .base import Layer
from .dropout import _check_seed

SCORE_MODES = ("dot", "concat")
_MASKED = 1e9  # subtracted from the score of a masked step (Keras's value for float32)


class Attention(AttentionCalls, Layer):
    """Keras's ``Attention``: called on ``[query, value]`` or ``[query, value, key]``.

    Besides ``training`` and ``mask`` (a list of the query's and the value's (batch, steps)
    masks), a call takes ``return_attention_scores`` (also return the weights, (batch, Tq,
    Tv)) and ``use_causal_mask`` (query step i attends to value steps j <= i). They fix the
    layer's outputs, so a layer object keeps the ones of its first call.

    Parameters
    ----------
    use_scale : bool, default False
        Multiply the scores by a trained scalar (dot) or scale the sum inside tanh (concat).
    score_mode : {'dot', 'concat'}, default 'dot'
    dropout : float in [0, 1), default 0.0
        Dropout on the attention weights in training.
    seed : int, optional
        Seed of the dropout masks.

    Examples
    --------
    >>> Attention(use_scale=True)
    <Attention name='attention'>
    """

    multi_input = True
    takes_mask = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        self._init_call_options(kwargs)
        super().__init__(**kwargs)
        if score_mode not in SCORE_MODES:
            raise ValueError(f"Attention: `score_mode` must be one of {list(SCORE_MODES)}, got {score_mode!r}.")
        if not isinstance(use_scale, (bool, np.bool_)):
            raise TypeError(f"Attention: `use_scale` must be a bool, got {use_scale!r}.")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout = _checks.fraction("Attention", "dropout", dropout)
        self.seed = _check_seed("Attention", seed)
        self._rng = None

    def __call__(self, inputs, training=None, rng=None, mask=None, return_attention_scores=False,
                 use_causal_mask=False):
        self._fix_call_options(return_attention_scores, use_causal_mask)
        return super().__call__(inputs, training, rng, mask)

    def _shapes(self, input_shape):
        query, value, key = self._sequence_shapes(input_shape, "[query, value] or [query, value, key]")
        if query[1] != key[1]:
            raise ValueError(f"Attention '{self.name}': the query and the key must have as many features, got "
                             f"per-sample shapes {query} and {key}.")
        return query, value, key

    def compute_output_shape(self, input_shape):
        query, value, _ = self._shapes(input_shape)
        outputs = (query[0], value[1])
        return [outputs, (query[0], value[0])] if self._options[0] else outputs

    def compute_mask(self, inputs, mask):
        query_mask = mask[0] if isinstance(mask, (list, tuple)) and mask else None
        return [query_mask, None] if self._options[0] else query_mask

    def build(self, input_shape, rng):
        self._shapes(input_shape)
        if self.use_scale:
            self.params["scale"] = np.ones((), dtype=self.dtype)
        if self.score_mode == "concat":
            self.params["concat_score_weight"] = np.ones((), dtype=self.dtype)
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    def _masks(self, inputs, mask):
        """(query mask (batch, Tq) or None, scores mask (batch or 1, Tq, Tv) or None)."""
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
        masks += [None] * (3 - len(masks))
        query_mask = masking.check_mask(self, inputs[0], masks[0])
        value_mask = masking.check_mask(self, inputs[1], masks[1])
        allowed = None if value_mask is None else value_mask[:, None, :]
        if self._options[1]:
            causal = np.tril(np.ones((inputs[0].shape[1], inputs[1].shape[1]), dtype=bool))[None]
            allowed = causal if allowed is None else allowed & causal
        return query_mask, allowed

    def forward(self, inputs, training=False, mask=None):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        query_mask, allowed = self._masks(inputs, mask)
        scale = self.params["scale"] if self.use_scale else None
        if self.score_mode == "dot":
            raw = query @ key.transpose(0, 2, 1)
            scores, tanh = (raw * scale if scale is not None else raw), None
        else:
            raw = query[:, :, None, :] + key[:, None, :, :]  # (batch, Tq, Tv, dim)
            tanh = np.tanh(raw * scale if scale is not None else raw)
            scores = self.params["concat_score_weight"] * tanh.sum(axis=-1)
        if allowed is not None:
            scores = scores - _MASKED * (~allowed).astype(scores.dtype)
        weights = softmax_last_axis(scores)
        dropped, keep = weights, None
        if training and self.dropout > 0:
            dropped, keep = self.ops.dropout(weights, self._rng, weights.shape, self.dropout)
        outputs = dropped @ value
        if query_mask is not None:
            outputs = outputs * query_mask[:, :, None]
        cache = (query, value, key, len(inputs), raw, tanh, weights, dropped, keep, query_mask)
        return ([outputs, dropped] if self._options[0] else outputs), cache

    # out = D v with D = dropout(W), W = softmax(S)  =>  dv = Dᵀ dout, dD = dout vᵀ, dW = dD · keep,
    # dS = W (dW - Σ_j dW W);  dot: S = s q kᵀ  =>  dq = s dS k, dk = s dSᵀ q, ds = Σ dS q kᵀ;
    # concat: S = w Σ_d tanh(s (q_i + k_j))  =>  dw = Σ dS Σ_d tanh, dz = w dS (1 - tanh²) s,
    # dq = Σ_j dz, dk = Σ_i dz, ds = Σ w dS (1 - tanh²) (q_i + k_j)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        query, value, key, count, raw, tanh, weights, dropped, keep, query_mask = cache
        grad_dropped = None
        if self._options[0]:
            grad_outputs, grad_dropped = grad_outputs
        if grad_outputs is None:
            grad_outputs = np.zeros((*query.shape[:2], value.shape[2]), dtype=value.dtype)
        if query_mask is not None:
            grad_outputs = grad_outputs * query_mask[:, :, None]
        grad_value = dropped.transpose(0, 2, 1) @ grad_outputs
        from_outputs = grad_outputs @ value.transpose(0, 2, 1)
        grad_dropped = from_outputs if grad_dropped is None else from_outputs + grad_dropped
        grad_weights = grad_dropped if keep is None else grad_dropped * keep
        grad_scores = weights * (grad_weights - (grad_weights * weights).sum(axis=-1, keepdims=True))
        scale = self.params["scale"] if self.use_scale else None
        if self.score_mode == "dot":
            if scale is not None:
                self._write_grad("scale", (grad_scores * raw).sum(), accumulate)
                grad_scores = grad_scores * scale
            grad_query = grad_scores @ key
            grad_key = grad_scores.transpose(0, 2, 1) @ query
        else:
            weight = self.params["concat_score_weight"]
            self._write_grad("concat_score_weight", (grad_scores * tanh.sum(axis=-1)).sum(), accumulate)
            grad_inside = (weight * grad_scores)[..., None] * (1 - tanh * tanh)
            if scale is not None:
                self._write_grad("scale", (grad_inside * raw).sum(), accumulate)
                grad_inside = grad_inside * scale
            grad_query, grad_key = grad_inside.sum(axis=2), grad_inside.sum(axis=1)
        if not input_grad:
            return None
        if count == 2:  # the value was also the key
            return [grad_query, grad_value + grad_key]
        return [grad_query, grad_value, grad_key]

    def get_config(self):
        config = {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                  "dropout": self.dropout, "seed": self.seed}
        return {**config, **self._call_options_config()}
