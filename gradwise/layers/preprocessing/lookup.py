"""StringLookup and IntegerLookup: tokens to indices by a vocabulary (given, or learned by adapt()).

Indices, as Keras lays them out: the mask token at 0 (in 'int' mode, when there is
one), then `num_oov_indices` out-of-vocabulary indices, then the vocabulary in order.
With several OOV indices an unknown token goes to one of them by its stable hash
(``hashing.stable_hash``). ``adapt`` orders the vocabulary by falling frequency, ties
by falling token order (as Keras), capped so that the whole index space fits `max_tokens`.
In the other output modes the mask token has no index and its occurrences count nowhere.

The vocabulary is part of ``get_config``, so a saved model carries it.
"""

import collections

import numpy as np

from ... import _checks
from . import encoding
from .base import PreprocessingLayer
from .encoding import encode, encoded_shape
from .hashing import stable_hash


class IndexLookup(PreprocessingLayer, register=False):
    """The shared lookup; subclasses say how tokens are read (``_tokens``) and their defaults."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None, vocabulary=None,
                 invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False, idf_weights=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if max_tokens is not None:
            max_tokens = _checks.positive_int(owner, "max_tokens", max_tokens)
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, (int, np.integer)) or num_oov_indices < 0:
            raise ValueError(f"{owner}: `num_oov_indices` must be a non-negative int, got {num_oov_indices!r}.")
        self.output_mode = encoding.output_mode(owner, output_mode)
        if invert and self.output_mode != "int":
            raise ValueError(f"{owner}: `invert=True` maps indices back to tokens and needs output_mode='int', "
                             f"got output_mode={output_mode!r}.")
        for name, value in (("sparse", sparse), ("pad_to_max_tokens", pad_to_max_tokens)):
            if value:
                raise ValueError(f"{owner}: `{name}=True` is not supported by gradwise; got True.")
        if idf_weights is not None:
            raise ValueError(f"{owner}: `idf_weights` (output_mode='tf_idf') is not supported by gradwise.")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token = None if mask_token is None else self._token(mask_token, "mask_token")
        self.oov_token = self._token(oov_token, "oov_token")
        self.invert = bool(invert)
        self.vocabulary = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    # ----- vocabulary ---------------------------------------------------------------------------
    def set_vocabulary(self, vocabulary):
        """Use `vocabulary` (a list of distinct tokens, without the mask and OOV tokens)."""
        owner = type(self).__name__
        tokens = [self._token(token, "vocabulary") for token in np.asarray(vocabulary, dtype=object).reshape(-1)]
        if len(set(tokens)) != len(tokens):
            repeated = [token for token, count in collections.Counter(tokens).items() if count > 1]
            raise ValueError(f"{owner}: `vocabulary` holds repeated tokens {repeated[:5]}; each must appear once.")
        for special, name in ((self.mask_token, "mask_token"), (self.oov_token if self.num_oov_indices else None,
                                                               "oov_token")):
            if special is not None and special in tokens:
                raise ValueError(f"{owner}: `vocabulary` must not hold the {name} {special!r}; it has its own index.")
        if self.max_tokens is not None and len(tokens) + self._reserved() > self.max_tokens:
            raise ValueError(f"{owner}: `vocabulary` of {len(tokens)} tokens plus {self._reserved()} reserved "
                             f"indices exceeds max_tokens={self.max_tokens}.")
        self.vocabulary = tokens
        self._index = {token: position for position, token in enumerate(tokens)}

    def _reserved(self):
        """Indices before the vocabulary: the mask (in 'int' mode) and the OOV indices."""
        return self.num_oov_indices + (1 if self.mask_token is not None and self.output_mode == "int" else 0)

    def get_vocabulary(self, include_special_tokens=True):
        """The token of every index, in index order (Keras's get_vocabulary)."""
        self._require_vocabulary()
        if not include_special_tokens:
            return list(self.vocabulary)
        head = [self.mask_token] if self.mask_token is not None and self.output_mode == "int" else []
        return head + [self.oov_token] * self.num_oov_indices + list(self.vocabulary)

    def vocabulary_size(self):
        self._require_vocabulary()
        return len(self.vocabulary) + self._reserved()

    def _require_vocabulary(self):
        if self.vocabulary is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' has no vocabulary: give vocabulary=[...] or call "
                             "layer.adapt(data) first.")

    def _adapt_batches(self, batches):
        counts = collections.Counter()
        for batch in batches:
            counts.update(self._tokens(batch).reshape(-1).tolist())
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        # falling frequency, ties in falling token order: the order Keras's adapt gives (its guides print it)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:max(self.max_tokens - self._reserved(), 0)]
        self.set_vocabulary([token for token, _ in ranked])

    def _adapted_input_shape(self, batch):
        return np.shape(batch)[1:]

    # ----- lookup -------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        if self.invert or self.vocabulary is None:
            return tuple(input_shape)
        return encoded_shape(input_shape, self.vocabulary_size(), self.output_mode)

    def indices(self, inputs):
        """The index of each token (int64; -1 for a mask token outside 'int' mode)."""
        self._require_vocabulary()
        tokens = self._tokens(inputs)
        distinct, inverse = np.unique(tokens.reshape(-1), return_inverse=True)  # one dict lookup per distinct token
        known = np.array([self._index.get(token, -1) for token in distinct.tolist()], dtype=np.int64)
        positions = known[inverse.reshape(-1)].reshape(tokens.shape)
        result = np.where(positions >= 0, positions + self._reserved(), -1)
        unknown = positions < 0
        if self.mask_token is not None:
            masked = tokens == self.mask_token
            result = np.where(masked, 0 if self.output_mode == "int" else -1, result)
            unknown &= ~masked
        if unknown.any():
            if self.num_oov_indices == 0:
                examples = sorted({str(token) for token in tokens[unknown].reshape(-1).tolist()})[:3]
                raise ValueError(f"{type(self).__name__} '{self.name}': {int(unknown.sum())} token(s) not in the "
                                 f"vocabulary, such as {examples}, and num_oov_indices=0 gives them no index.")
            first_oov = 1 if self.mask_token is not None and self.output_mode == "int" else 0
            oov = first_oov + (stable_hash(tokens[unknown]) % np.uint64(self.num_oov_indices)).astype(np.int64)
            result[unknown] = oov if self.num_oov_indices > 1 else first_oov
        return result

    def forward(self, inputs, training=False):
        if self.invert:
            return self._tokens_of(np.asarray(inputs)), None
        dtype = self.dtype if self.dtype is not None else np.float32
        return encode(self.indices(inputs), self.vocabulary_size(), self.output_mode, dtype), None

    def _tokens_of(self, indices):
        vocabulary = np.array(self.get_vocabulary(), dtype=object)
        if np.issubdtype(indices.dtype, np.floating):
            indices = np.rint(indices)
        indices = indices.astype(np.int64)
        outside = (indices < 0) | (indices >= len(vocabulary))
        safe = np.where(outside, 0, indices)
        tokens = vocabulary[safe]
        tokens[outside] = self.oov_token
        return tokens.astype(self._token_dtype)

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "mask_token": self.mask_token, "oov_token": self.oov_token, "invert": self.invert,
                "output_mode": self.output_mode, "vocabulary": None if self.vocabulary is None else list(self.vocabulary)}


class StringLookup(IndexLookup):
    """Strings to indices (Keras's StringLookup): vocabulary given or learned by ``adapt``.

    Parameters
    ----------
    max_tokens : int, optional
        The size of the whole index space (mask and OOV indices included).
    num_oov_indices : int, default 1
    mask_token : str, optional
    oov_token : str, default '[UNK]'
    vocabulary : list of str, optional
    invert : bool, default False
        Map indices back to tokens.
    output_mode : {'int', 'one_hot', 'multi_hot', 'count'}, default 'int'

    Examples
    --------
    >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
    >>> layer([["a", "c", "d"], ["d", "z", "b"]]).tolist()
    [[1, 3, 4], [4, 0, 2]]
    """

    _token_dtype = str

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 encoding="utf-8", **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, invert, output_mode, sparse,
                         pad_to_max_tokens, idf_weights, **kwargs)

    @property
    def takes_strings(self):
        """Whether the layer reads text (not when `invert` maps indices back to tokens): a Sequential
        that starts with it takes string arrays without an ``Input(dtype="string")``."""
        return not self.invert

    @property
    def gives_strings(self):
        """Whether the layer outputs text (`invert` maps indices back to tokens): a model ending
        with it predicts strings and cannot be trained or evaluated through them."""
        return self.invert

    def _token(self, value, name):
        if isinstance(value, bytes):
            value = value.decode(self.encoding)
        if not isinstance(value, (str, np.str_)):
            raise ValueError(f"{type(self).__name__}: `{name}` must hold strings, got {value!r} "
                             f"({type(value).__name__}).")
        return str(value)

    def _tokens(self, inputs):
        array = np.asarray(inputs)
        if array.dtype.kind == "S":
            array = np.char.decode(array, self.encoding)
        if array.dtype.kind not in "UO":
            raise TypeError(f"{type(self).__name__} '{getattr(self, 'name', '')}' expected strings, got an array of "
                            f"dtype {array.dtype}. Use IntegerLookup for integer tokens.")
        return array.astype(str)


class IntegerLookup(IndexLookup):
    """Integers to indices (Keras's IntegerLookup): vocabulary given or learned by ``adapt``.

    Parameters as StringLookup's, with integer tokens: ``oov_token=-1`` and an int
    `mask_token`. Inputs may be integer or integral float arrays (a model's float inputs).

    Examples
    --------
    >>> IntegerLookup(vocabulary=[12, 36, 1138, 42])([[12, 1138, 42], [42, 1000, 36]]).tolist()
    [[1, 3, 4], [4, 0, 2]]
    """

    _token_dtype = np.int64

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, output_mode="int",
                 sparse=False, vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 pad_to_max_tokens=False, **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, invert, output_mode, sparse,
                         pad_to_max_tokens, idf_weights, **kwargs)

    def _token(self, value, name):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)) or \
                float(value) != round(float(value)):
            raise ValueError(f"{type(self).__name__}: `{name}` must hold integers, got {value!r}.")
        return int(value)

    def _tokens(self, inputs):
        array = np.asarray(inputs)
        if array.dtype.kind == "f":
            if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
                raise ValueError(f"{type(self).__name__} '{self.name}' expected integer tokens, got non-integer "
                                 "values.")
            return array.astype(np.int64)
        if array.dtype.kind not in "iub":
            raise TypeError(f"{type(self).__name__} '{self.name}' expected integers, got an array of dtype "
                            f"{array.dtype}. Use StringLookup for strings.")
        return array.astype(np.int64)
