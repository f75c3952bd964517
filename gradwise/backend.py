"""Global numeric settings: the default float type and the default random seed; and Keras's
``clear_session``, ``epsilon`` and ``image_data_format`` for code that ports unchanged."""

import contextlib
import contextvars

import numpy as np

_FLOAT_TYPES = ("float32", "float64")
_floatx = "float32"
_global_seed = None


def floatx():
    """Return the default float type name for new models ('float32' unless changed)."""
    return _floatx


def set_floatx(dtype):
    """Set the default float type for models built from now on.

    Parameters
    ----------
    dtype : {'float32', 'float64'}
    """
    global _floatx
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    if name not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: `dtype` must be one of {_FLOAT_TYPES}, got {dtype!r}.")
    _floatx = name


def epsilon():
    """Keras's fuzz factor, 1e-7: the clipping of probabilities in cross-entropies and the
    ``epsilon`` of ``gradwise.constraints``."""
    return 1e-7


def image_data_format():
    """'channels_last', the layout convolution and pooling layers take by default (each takes
    ``data_format="channels_first"`` on its own)."""
    return "channels_last"


def clear_session():
    """Keras's: start naming layers and models afresh (dense, dense_1, ... restart at dense).
    gradwise keeps no graph or session, so nothing else needs freeing."""
    from .layers.base import reset_names

    reset_names()


def resolve_dtype(dtype=None):
    """The numpy dtype for `dtype`, or for floatx() when `dtype` is None."""
    name = floatx() if dtype is None else np.dtype(dtype).name
    if name not in _FLOAT_TYPES:
        raise ValueError(f"`dtype` must be one of {_FLOAT_TYPES}, got {dtype!r}.")
    return np.dtype(name)


def set_random_seed(seed):
    """Make every model created afterwards without its own seed reproducible.

    Like ``keras.utils.set_random_seed``: a model created with ``seed=None`` draws its
    seed from a generator seeded here, so a script run twice gives identical weights.
    """
    global _global_seed
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"set_random_seed: `seed` must be a non-negative int or None, got {seed!r}.")
    _global_seed = None if seed is None else np.random.default_rng(int(seed))


# A seed stream for the models created in one block of one thread (``seeded``): a
# context variable, so threads (joblib's threading backend) never see each other's.
_scoped_seed = contextvars.ContextVar("gradwise_scoped_seed", default=None)


@contextlib.contextmanager
def seeded(seed):
    """Seed the models created with ``seed=None`` inside this block, in this thread only.

    Unlike ``set_random_seed`` it changes no global state: other threads, and this one
    after the block, are unaffected.
    """
    if seed is None:
        yield
        return
    token = _scoped_seed.set(np.random.default_rng(int(seed)))
    try:
        yield
    finally:
        _scoped_seed.reset(token)


# The seed a Sequential created with ``seed=None`` takes as its own inside a ``model_seed`` block.
_block_model_seed = contextvars.ContextVar("gradwise_block_model_seed", default=None)


@contextlib.contextmanager
def model_seed(seed):
    """A Sequential created with ``seed=None`` inside this block, in this thread only, takes `seed` as
    its own ``seed``: as if built with ``seed=seed``, so ``clone_model(model, seed=seed)`` of one
    gives the same weights. The tuner builds each trial's model so (other models it clones)."""
    token = _block_model_seed.set(None if seed is None else int(seed))
    try:
        yield
    finally:
        _block_model_seed.reset(token)


def seed_of_new_model(seed):
    """The seed a Sequential created with `seed` has: `seed`, or a ``model_seed`` block's."""
    return _block_model_seed.get() if seed is None else seed


def new_rng(seed=None):
    """A numpy Generator from `seed`, else from a ``seeded`` block's or the global seed, else from entropy."""
    if seed is not None:
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"`seed` must be a non-negative int or None, got {seed!r}.")
        return np.random.default_rng(int(seed))
    scoped = _scoped_seed.get()
    if scoped is not None:
        return np.random.default_rng(scoped.integers(2**63))
    if _global_seed is not None:
        return np.random.default_rng(_global_seed.integers(2**63))
    return np.random.default_rng()
