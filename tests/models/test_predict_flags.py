"""predict and the floating-point flags a matrix product can leave behind."""

import warnings

import numpy as np

import gradwise as gw
from gradwise.layers import Dense, Input, Lambda


def _flagging(inputs):
    """The inputs unchanged, after setting the invalid-operation flag as OpenBLAS can after a product of finite
    numbers (numpy #24067, OpenBLAS #1924)."""
    np.sqrt(np.array(-1.0))
    return inputs


def test_an_invalid_flag_left_behind_is_no_warning_in_predict_and_a_nan_made_there_stays_in_the_outputs():
    x = np.random.default_rng(0).normal(size=(8, 3))
    model = gw.Sequential([Input((3,)), Lambda(_flagging, derivative=np.ones_like), Dense(2)], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        outputs = model.predict(x, verbose=0)
    assert outputs.shape == (8, 2) and np.isfinite(outputs).all()
    rooted = gw.Sequential([Input((3,)), Lambda(np.sqrt, derivative=lambda v: 0.5 / np.sqrt(v))], seed=0)
    assert np.isnan(rooted.predict(x, verbose=0)[x < 0]).all()  # silenced, not hidden: the NaN is the answer
