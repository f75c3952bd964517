"""OpenBLAS's idle threads sleep at once once a model keeping several BLAS threads is fit
(gradwise.ops.blas_idle), without changing the thread count, the products' results or the
user's environment; a wait the user set is kept. Each case runs in a fresh interpreter, as
OpenBLAS's setting is process-wide."""

import os
import subprocess
import sys
import textwrap

import pytest

CHECK = textwrap.dedent("""
    import os, time
    import numpy as np
    import threadpoolctl
    [openblas] = [library for library in threadpoolctl.ThreadpoolController().lib_controllers
                  if library.internal_api == "openblas" and "numpy" in library.filepath]
    threadpoolctl.threadpool_limits(limits=2, user_api="blas")
    wait_before = openblas.dynlib.openblas_thread_timeout()
    import gradwise
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256)
    model = gradwise.Sequential([gradwise.layers.Input((784,)), gradwise.layers.Dense(512, activation="relu"),
                                 gradwise.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    a = rng.normal(size=(600, 600))
    product = a @ a
    started = time.process_time()
    time.sleep(0.3)
    print(wait_before, openblas.dynlib.openblas_thread_timeout(), openblas.num_threads,
          time.process_time() - started, "OPENBLAS_THREAD_TIMEOUT" in os.environ,
          float(np.abs(product - np.einsum("ij,jk->ik", a, a)).max()))
""")


def run_check(**environment):
    env = {name: value for name, value in os.environ.items()
           if name not in ("GRADWISE_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                           "MKL_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT")}
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after, threads, idle_cpu, left_in_environment, error = result.stdout.split()
    return int(before), int(after), int(threads), float(idle_cpu), left_in_environment == "True", float(error)


def test_a_large_models_fit_makes_idle_openblas_threads_sleep():
    before, after, threads, idle_cpu, left_in_environment, error = run_check()
    assert before == 0 and after == 4
    assert threads == 2
    # no worker spins through the 0.3 s after a two-thread product (by default one spins ~0.1 s)
    assert idle_cpu < 0.03
    assert not left_in_environment
    assert error < 1e-9


def test_the_users_own_wait_is_kept():
    before, after, threads, _, left_in_environment, error = run_check(OPENBLAS_THREAD_TIMEOUT="6")
    assert before == after == 6
    assert threads == 2 and left_in_environment and error < 1e-9


def test_small_models_leave_openblas_as_it_is():
    check = CHECK.replace("Dense(512", "Dense(4").replace("(256, 784)", "(256, 8)").replace("Input((784,))", "Input((8,))")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120,
                            env={name: value for name, value in os.environ.items() if name != "OPENBLAS_THREAD_TIMEOUT"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["0", "0"]
