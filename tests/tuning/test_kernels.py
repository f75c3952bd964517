"""Which kernels a search trains on: NumPy's for a search too small to repay loading numba's, else
the seam's default; the user's choice (GRADWISE_OPS, set_ops, use_ops) always wins."""

import os
import subprocess
import sys

import numpy as np
import pytest

import gradwise as gw
from gradwise import ops
from gradwise.layers import Conv2D, Dense, Dropout, Flatten, Input
from gradwise.tuning import Tuner, kernels

from .builders import binary_data, build_tiny

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NUMBA = "numba" in ops.available_ops()


@pytest.fixture(autouse=True)
def unchosen_seam(monkeypatch):
    """No choice of kernels: none in the environment, none left by an earlier test of this process
    (restoring the seam with ``set_ops(instance)`` counts as a choice)."""
    monkeypatch.delenv(ops.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(ops, "_chosen", False)


def _mlp(units=(16, 8)):
    model = gw.Sequential([Input((4,))] + [layer for width in units for layer in (Dense(width, "relu"), Dropout(0.1))]
                          + [Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_a_flat_models_step_counts_its_kernels_three_times_per_sample():
    # forward, input gradient and kernel gradient of 4x16, 16x8 and 8x1 kernels
    assert kernels.sample_multiply_adds(_mlp()) == 3 * (4 * 16 + 16 * 8 + 8 * 1)


def test_models_whose_cost_the_estimate_does_not_know_are_not_counted():
    unbuilt = gw.Sequential([Dense(4), Dense(1)])
    convnet = gw.Sequential([Input((8, 8, 1)), Conv2D(4, 3), Flatten(), Dense(1)])
    assert kernels.sample_multiply_adds(unbuilt) is None
    assert kernels.sample_multiply_adds(convnet) is None  # images keep numba's kernels
    assert kernels.sample_multiply_adds(object()) is None


def test_training_rows_of_arrays_lists_dicts_and_a_validation_split():
    x = np.zeros((100, 4))
    assert kernels.training_rows(x, {}) == 100
    assert kernels.training_rows([x, x], {"validation_split": 0.25}) == 75
    assert kernels.training_rows({"a": x}, {}) == 100
    assert kernels.training_rows(iter([x]), {}) is None  # a generator is not consumed to count it


def test_numpy_below_the_break_even_work_per_process_and_the_default_above():
    below = kernels.LOAD_PAYS_FROM / 2
    # 10 trials on 2 workers: 5 per process, x 4 epochs x 100 rows x the mean per-sample work
    per_sample = [below / (5 * 4 * 100) * 0.5, below / (5 * 4 * 100) * 1.5]
    assert kernels.search_ops(per_sample, 100, 4, 10, 2) == "numpy"
    assert kernels.search_ops(per_sample, 100, 4, 10, 1) is None  # twice the work in one process
    assert kernels.search_ops(per_sample, 100, 4, 10, 2, fits_per_trial=5) is None  # cross-validated trials
    assert kernels.search_ops(per_sample + [None], 100, 4, 10, 2) is None
    assert kernels.search_ops(per_sample, None, 4, 10, 2) is None
    with ops.use_ops("numpy"):
        assert kernels.search_ops(per_sample, 100, 4, 10, 2) is None  # the user chose


def _search(tmp_path, name, timeout=None, **kwargs):
    x, y = binary_data()
    tuner = Tuner(build_tiny, objective="val_accuracy", max_trials=2, seed=0, directory=tmp_path, project_name=name,
                  pruner=None, **kwargs)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0, timeout=timeout)
    return [trial.user_attrs["ops"] for trial in tuner.study.trials]


@pytest.mark.skipif(not NUMBA, reason="needs numba, the seam's default, to tell the two choices apart")
def test_a_small_search_trains_on_numpy_unless_the_user_chose(tmp_path, monkeypatch):
    assert _search(tmp_path, "small") == ["numpy", "numpy"]
    assert not ops.chosen()  # the seam is the user's again after the search
    with ops.use_ops("numba"):
        assert _search(tmp_path, "chosen") == ["numba", "numba"]
    monkeypatch.setenv(ops.ENVIRONMENT_VARIABLE, "numba")
    assert _search(tmp_path, "environment") == ["numba", "numba"]
    monkeypatch.delenv(ops.ENVIRONMENT_VARIABLE)
    monkeypatch.setattr(kernels, "LOAD_PAYS_FROM", 0)  # every search large enough
    assert _search(tmp_path, "large") == ["numba", "numba"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are Linux's")
def test_worker_processes_of_a_small_search_train_on_numpy(tmp_path):
    assert _search(tmp_path, "workers", workers=2, threads_per_worker=1) == ["numpy", "numpy"]


def test_a_small_search_in_a_fresh_process_never_imports_numba(tmp_path):
    code = ("import sys; from tests.tuning.builders import binary_data, build_tiny; from gradwise.tuning import Tuner\n"
            f"tuner = Tuner(build_tiny, objective='val_accuracy', max_trials=2, seed=0, directory={str(tmp_path)!r})\n"
            "x, y = binary_data(); tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)\n"
            "print(len(tuner.study.trials), 'numba' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": REPOSITORY, "OMP_NUM_THREADS": "1"}
    env.pop(ops.ENVIRONMENT_VARIABLE, None)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["2", "False"], result.stderr[-2000:]


def test_a_search_of_compiled_chains_counts_the_steps_they_save():
    # W6's shape: 20 trials of 30 epochs on 491 rows, batch 32 (16 steps an epoch)
    per_sample = [3 * (8 * 32 + 32 * 1)] * 3
    assert kernels.search_ops(per_sample, 491, 30, 20, 1) == "numpy"  # layers' steps: too little work
    steps = 20 * 30 * 16
    assert steps * kernels.CHAIN_STEP_SAVES > kernels.CHAIN_LOAD_SECONDS
    assert kernels.search_ops(per_sample, 491, 30, 20, 1, chains=[True] * 3) is None
    assert kernels.search_ops(per_sample, 491, 30, 20, 1, chains=[True, False, True]) == "numpy"
    assert kernels.search_ops(per_sample, 491, 30, 20, 1, chains=[True] * 3, batch_size=491) == "numpy"  # 1 step
    assert kernels.search_ops(per_sample, 491, 30, 20, 4, chains=[True] * 3) == "numpy"  # 5 trials a process


def test_the_probe_models_of_a_chain_space_are_chains_and_others_are_not(tmp_path):
    tuner = Tuner(build_tiny, objective="val_accuracy", max_trials=2, seed=0, directory=tmp_path, project_name="c")
    assert tuner._chains and all(tuner._chains)

    def build_selu(hp):  # an activation the kernel does not compute
        model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 6), activation="selu"),
                               Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    tuner = Tuner(build_selu, objective="val_loss", max_trials=2, seed=0, directory=tmp_path, project_name="p")
    assert tuner._chains and not any(tuner._chains)


@pytest.mark.skipif(not NUMBA, reason="needs numba, the seam's default, to tell the two choices apart")
def test_a_search_shorter_than_compiling_on_a_cold_cache_trains_on_numpy(tmp_path, monkeypatch):
    import time

    from gradwise.models import chain_compile

    cold = []
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: cold.append(dtype) or False)
    assert kernels.cold_ops(time.time() + 5.0) == "numpy" and cold == ["float32"]
    assert kernels.cold_ops(time.time() + kernels.COLD_COMPILE_SECONDS + 5.0) is None  # time to compile: numba
    assert kernels.cold_ops(None) is None
    with ops.use_ops("numba"):  # the user's choice wins
        assert kernels.cold_ops(time.time() + 5.0) is None
    monkeypatch.setattr(kernels, "LOAD_PAYS_FROM", 0)  # a search large enough for numba's kernels...
    assert _search(tmp_path, "cold", timeout=5.0) == ["numpy", "numpy"]  # ...but short, on a cold cache
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: True)
    assert _search(tmp_path, "warm", timeout=5.0) == ["numba", "numba"]  # the same on a warm cache
