"""BLAS threads chosen by the model's size (gradwise.ops.model_threads): the step count from
the layer shapes, one BLAS thread inside a small model's fit, the original count after it,
and the user's choice left alone."""

import threading

import numpy as np
import pytest
import threadpoolctl

import gradwise
from gradwise.ops import model_threads, threads


def blas_threads():
    """Thread counts of NumPy's BLAS (the engine's products; SciPy's, loaded later by some
    fit paths, is not limited and not used by the engine)."""
    found = {info["num_threads"] for info in threadpoolctl.threadpool_info()
             if info["user_api"] == "blas" and "numpy" in info["filepath"]}
    assert found, threadpoolctl.threadpool_info()
    return found


@pytest.fixture
def auto(monkeypatch):
    """No thread variable set (the automatic choice applies), BLAS at 2 threads around the test."""
    for name in threads._ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        yield


def mlp(width, inputs=8):
    model = gradwise.Sequential([gradwise.layers.Input((inputs,)), gradwise.layers.Dense(width, activation="relu"),
                                 gradwise.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_step_multiply_adds_follow_the_layer_shapes():
    model = mlp(32)
    assert model_threads.step_multiply_adds(model._all_layers(), 16) == 3 * 16 * (8 * 32 + 32 * 1)
    convnet = gradwise.Sequential([gradwise.layers.Input((10, 9, 2)), gradwise.layers.Conv2D(4, 3),
                                   gradwise.layers.MaxPooling2D(2), gradwise.layers.Flatten(),
                                   gradwise.layers.Dense(3)])
    # the kernel (3*3*2*4) at each of the 8x7 output positions; the pooled 4x3x4 features into 3 units
    expected = 3 * 5 * (3 * 3 * 2 * 4 * 8 * 7 + 4 * 3 * 4 * 3)
    assert model_threads.step_multiply_adds(convnet._all_layers(), 5) == expected


@pytest.mark.parametrize("wrap", [lambda layer: layer, gradwise.layers.Bidirectional])
def test_a_recurrent_layer_counts_one_time_step_whatever_its_output(wrap):
    # its products are one time step each: the whole sequence's output must not make them look large
    counts = []
    for sequences in (False, True):
        model = gradwise.Sequential([gradwise.layers.Input((50, 16)),
                                     wrap(gradwise.layers.LSTM(64, return_sequences=sequences))])
        counts.append(model_threads.step_multiply_adds(model._all_layers(), 64))
    directions = 2 if wrap is gradwise.layers.Bidirectional else 1
    assert counts == [3 * 64 * directions * (16 * 256 + 64 * 256)] * 2


def test_small_steps_run_blas_on_one_thread_and_restore_it(auto):
    with model_threads.for_model(model_threads.SMALL_STEP - 1):
        assert blas_threads() == {1}
    assert blas_threads() == {2}
    with model_threads.for_model(model_threads.SMALL_STEP):
        assert blas_threads() == {2}


def test_a_thread_count_in_the_environment_is_left_alone(auto, monkeypatch):
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    with model_threads.for_model(0):
        assert blas_threads() == {2}


def test_overlapping_fits_restore_the_threads_after_the_last(auto):
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with model_threads.for_model(0):
            first_in.set()
            second_in.wait(5)
        first_out.set()

    worker = threading.Thread(target=first)
    with model_threads.for_model(0):
        worker.start()
        first_in.wait(5)
        second_in.set()
        first_out.wait(5)
        seen.append(blas_threads())  # the first block ended while this one runs: still one thread
    worker.join(5)
    assert seen == [{1}] and blas_threads() == {2}


def test_fit_of_a_small_model_trains_on_one_blas_thread(auto):
    seen = []

    class Record(gradwise.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(blas_threads())

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 8)), rng.integers(0, 2, size=(64, 1))
    mlp(16).fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[Record()])
    assert seen == [{1}, {1}] and blas_threads() == {2}
    seen.clear()
    big = mlp(4096, inputs=512)  # 3 * 32 * (512 * 4096 + 4096) multiply-adds: above SMALL_STEP
    assert model_threads.step_multiply_adds(big._all_layers(), 32) >= model_threads.SMALL_STEP
    big.fit(rng.normal(size=(32, 512)), y[:32], batch_size=32, epochs=1, verbose=0, callbacks=[Record()])
    assert seen == [{2}]


def test_evaluate_and_predict_of_a_small_model_run_on_one_blas_thread(auto, monkeypatch):
    seen = []
    model = mlp(16)
    forward = model._graph.forward

    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return forward(*args, **kwargs)

    monkeypatch.setattr(model._graph, "forward", recording)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 8)), rng.integers(0, 2, size=(40, 1))
    model.predict(x, batch_size=20, verbose=0)
    model.evaluate(x, y, batch_size=20, verbose=0)
    assert seen and all(threads == {1} for threads in seen), seen
    assert blas_threads() == {2}


def test_fit_runs_without_threadpoolctl(tmp_path):
    """An engine-only install may lack threadpoolctl: a small model's fit (which limits BLAS
    threads when it can) and a recurrent layer's loop still train, with BLAS left as it is."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['threadpoolctl'] = None\n"
        "import numpy as np, gradwise as gw\n"
        "from gradwise.ops import blas\n"
        "assert blas._threadpools() is None\n"
        "m = gw.Sequential([gw.Input((5, 3)), gw.LSTM(4), gw.Dense(1, activation='sigmoid')], seed=0)\n"
        "m.compile('adam', 'binary_crossentropy')\n"
        "x = np.random.default_rng(0).random((32, 5, 3)).astype('float32')\n"
        "y = (x[:, 0, 0] > 0.5).astype('float32')\n"
        "h = m.fit(x, y, epochs=2, verbose=0).history\n"
        "assert len(h['loss']) == 2 and all(np.isfinite(h['loss'])), h\n"
        "print('trained')\n"
    )
    env = {key: value for key, value in __import__("os").environ.items() if key not in threads._ENVIRONMENT}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "trained" in done.stdout
