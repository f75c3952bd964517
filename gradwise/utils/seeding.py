"""set_random_seed as Keras' ``keras.utils.set_random_seed``: every source of randomness at once."""

import numbers
import random

import numpy as np

from .. import backend


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global generator and gradwise's models at once.

    Like ``keras.utils.set_random_seed``: after it, a script that builds and trains
    models (created without a ``seed`` of their own) and shuffles its data with
    ``random``/``np.random`` gives the same results on every run.
    ``gradwise.set_random_seed`` seeds gradwise's models only.

    Parameters
    ----------
    seed : int in [0, 2**32)

    Examples
    --------
    >>> set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"set_random_seed: `seed` must be an int in [0, 2**32), got {seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    backend.set_random_seed(seed)
