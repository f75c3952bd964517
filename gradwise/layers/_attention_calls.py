"""What Attention and MultiHeadAttention share: the call options that fix their outputs, and the
per-sample shapes of a query, a value and an optional key, and the softmax of their scores."""

import numpy as np


def softmax_last_axis(scores):
    """softmax over the last axis (the value steps), in a new array."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=-1, keepdims=True)
    return shifted


class AttentionCalls:
    """Mixin. Keras's ``return_attention_scores`` and ``use_causal_mask`` are call arguments, but
    they fix a layer's outputs in a graph, so a layer object keeps the ones of its first call;
    a saved layer's come back from its config (its graph is then rebuilt with plain calls)."""

    def _init_call_options(self, kwargs):
        """Take the options a saved config holds out of `kwargs` (before Layer.__init__ sees them)."""
        options = (kwargs.pop("return_attention_scores", None), kwargs.pop("use_causal_mask", None))
        self._call_options = None if options == (None, None) else (bool(options[0]), bool(options[1]))
        self._from_config = self._call_options is not None

    def _fix_call_options(self, return_attention_scores, use_causal_mask):
        options = (bool(return_attention_scores), bool(use_causal_mask))
        if self._from_config and options == (False, False):
            options = self._call_options
        if self._call_options is not None and options != self._call_options:
            raise ValueError(f"{type(self).__name__} '{self.name}' was first called with return_attention_scores="
                             f"{self._call_options[0]}, use_causal_mask={self._call_options[1]}; use one layer object "
                             "per way of calling it.")
        self._call_options = options

    @property
    def _options(self):
        """(return_attention_scores, use_causal_mask)."""
        return self._call_options or (False, False)

    def _call_options_config(self):
        """The options for ``get_config``, when they change the outputs."""
        if self._call_options is None or not any(self._call_options):
            return {}
        return dict(zip(("return_attention_scores", "use_causal_mask"), self._call_options))

    def _sequence_shapes(self, input_shape, expected):
        """(query, value, key) per-sample shapes, each (steps, features), the key the value's when not given."""
        shapes = [tuple(shape) for shape in input_shape] if isinstance(input_shape, (list, tuple)) and \
            input_shape and isinstance(input_shape[0], (list, tuple)) else None
        if shapes is None or len(shapes) not in (2, 3) or any(len(shape) != 2 for shape in shapes):
            raise ValueError(f"{type(self).__name__} '{self.name}' expected {expected}, each of per-sample shape "
                             f"(steps, features), got {input_shape!r}.")
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) == 3 else value
        if key[0] != value[0]:
            raise ValueError(f"{type(self).__name__} '{self.name}': the key and the value must have as many steps, "
                             f"got per-sample shapes {key} and {value}.")
        return query, value, key
