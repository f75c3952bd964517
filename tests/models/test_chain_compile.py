"""The chain step's kernel compiled by a helper process while fits train on the layers
(``gradwise/models/chain_compile.py``)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import gradwise as gw
from gradwise import ops
from gradwise.layers import Dense, Dropout, Input
from gradwise.models import chain_compile
from gradwise.models.chain_step import ChainStep
from gradwise.tuning import Tuner

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif("numba" not in ops.available_ops(),
                                reason="the chain kernel is numba's")


@pytest.fixture(autouse=True)
def no_helper_left(monkeypatch):
    """Each test starts with no helper of an earlier test's and leaves none behind."""
    monkeypatch.setattr(chain_compile, "_helper", None)
    monkeypatch.setattr(chain_compile, "_deferring", 0)
    yield
    if chain_compile._helper is not None:
        chain_compile._helper[1].kill()
        chain_compile._helper[1].wait()


def _kernel():
    with ops.use_ops("numba"):
        return ops.get_ops().dense_chain_step()


def _model():
    model = gw.Sequential([Input((4,)), Dense(8, activation="relu"), Dropout(0.2), Dense(1, activation="sigmoid")],
                          seed=1)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _kernel_calls(monkeypatch):
    calls = []
    run = ChainStep.run
    monkeypatch.setattr(ChainStep, "run", lambda self, *args: calls.append(1) or run(self, *args))
    return calls


def _fit(model):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    with ops.use_ops("numba"):
        model.fit(x, (x[:, :1] > 0).astype("float32"), epochs=1, batch_size=8, verbose=0)


def _waiting_helper(release):
    """A stand-in helper that runs until the file `release` exists."""
    code = ("import os, sys, time\n"
            "while not os.path.exists(sys.argv[1]):\n"
            "    time.sleep(0.01)\n")
    return [sys.executable, "-c", code, str(release)]


def test_fits_keep_the_layers_step_while_the_helper_runs_and_take_the_kernel_after(tmp_path, monkeypatch):
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: False)
    monkeypatch.setattr(chain_compile, "_spare_cores", lambda busy: True)
    release = tmp_path / "release"
    calls = _kernel_calls(monkeypatch)
    model = _model()
    with chain_compile.deferring():
        assert chain_compile.compile_in_background(_kernel(), ["float32"], 1, command=_waiting_helper(release))
        assert chain_compile.compiling()
        _fit(model)
        assert calls == []  # the layers' step: the kernel is not ready
        assert not chain_compile.compile_in_background(_kernel(), ["float32"], 1)  # one helper at a time
    assert not chain_compile.compiling()  # outside a deferring block a fit does not wait for the helper
    _fit(model)
    assert len(calls) == 2
    assert not chain_compile.compile_in_background(_kernel(), ["float32"], 1)  # still one helper at a time
    with chain_compile.deferring():
        assert chain_compile.compiling()
        release.touch()
        chain_compile._helper[1].wait(timeout=30)
        assert not chain_compile.compiling()
        _fit(model)
    assert len(calls) == 4  # both batches through the kernel once the helper is done


def test_a_failed_helper_leaves_fits_to_compile_the_kernel_themselves(monkeypatch):
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: False)
    monkeypatch.setattr(chain_compile, "_spare_cores", lambda busy: True)
    assert chain_compile.compile_in_background(_kernel(), ["float32"], 1, command=[sys.executable, "-c", "exit(3)"])
    chain_compile._helper[1].wait(timeout=30)
    with chain_compile.deferring():
        pass
    assert chain_compile._helper is None  # reaped as the block ended, no zombie left
    calls = _kernel_calls(monkeypatch)
    with chain_compile.deferring():
        _fit(_model())
        assert len(calls) == 2 and not chain_compile.compiling()


def test_a_forked_child_does_not_wait_for_its_parents_helper(tmp_path, monkeypatch):
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: False)
    monkeypatch.setattr(chain_compile, "_spare_cores", lambda busy: True)
    release = tmp_path / "release"
    chain_compile.compile_in_background(_kernel(), ["float32"], 1, command=_waiting_helper(release))
    read, write = os.pipe()
    with chain_compile.deferring():
        child = os.fork()
        if child == 0:  # the child reports what it sees and leaves at once
            os.write(write, b"1" if chain_compile.compiling() else b"0")
            os._exit(0)
        os.waitpid(child, 0)
        assert os.read(read, 1) == b"0"
        assert chain_compile.compiling()  # still the parent's
    release.touch()


def test_no_helper_for_a_cached_kernel_a_busy_machine_or_a_seam_without_the_kernel(monkeypatch):
    kernel = _kernel()
    _fit(_model())  # compiled (or loaded) here: cached
    assert chain_compile.cached(kernel, "float32") is True
    assert not chain_compile.compile_in_background(kernel, ["float32"], 1)
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not chain_compile.compile_in_background(kernel, ["float32"], 1)  # no spare core
    assert not chain_compile.compile_in_background(None, ["float32"], 0)  # NumPy's seam: no kernel
    assert chain_compile._helper is None


def test_the_helper_compiles_the_kernel_into_an_empty_cache(tmp_path):
    # end to end, in a fresh interpreter on an empty numba cache: not cached, a helper compiles it with the
    # signature fits call it with, after which the cache holds it and no helper starts again;
    script = (
        "import json, sys\n"
        "from gradwise import ops\n"
        "from gradwise.models import chain_compile\n"
        "kernel = ops.get_ops().dense_chain_step()\n"
        "before = chain_compile.cached(kernel, 'float32')\n"
        "chain_compile._spare_cores = lambda busy: True\n"
        "started = chain_compile.compile_in_background(kernel, ['float32'], 1)\n"
        "code = chain_compile._helper[1].wait(timeout=300)\n"
        "after = chain_compile.cached(kernel, 'float32')\n"
        "installed = chain_compile._signature(kernel, 'float32') in kernel.overloads\n"
        "hits = sum(kernel.stats.cache_hits.values())\n"
        "model, x, y = chain_compile._tiny_chain('float32')\n"
        "model.fit(x, y, epochs=1, verbose=0)\n"
        "again = sum(kernel.stats.cache_hits.values()) - hits\n"
        "print(json.dumps([before, started, code, after, installed, again,\n"
        "                  chain_compile.compile_in_background(kernel, ['float32'], 1)]))\n")
    environment = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=REPOSITORY, GRADWISE_OPS="numba")
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # found on the disk, it is loaded into the dispatcher once: the fit reads nothing again
    assert json.loads(result.stdout.splitlines()[-1]) == [False, True, 0, True, True, 0, False]


def test_a_one_worker_search_of_chains_asks_for_the_helper_with_its_dtypes_and_defers_to_it(tmp_path, monkeypatch):
    asked = []

    def ask(kernel, dtypes, busy):
        asked.append((kernel, list(dtypes), busy, chain_compile._deferring))
        return False

    monkeypatch.setattr(chain_compile, "compile_in_background", ask)

    def build(hp):
        model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu"),
                               Dense(1, activation="sigmoid")], dtype=hp.Choice("dtype", ["float32", "float64"]))
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    tuner = Tuner(build, objective="loss", max_trials=1, directory=tmp_path, project_name="p", seed=0, workers=1)
    with ops.use_ops("numba"):
        tuner.search(x, y, epochs=1, verbose=0)
    assert len(asked) == 1 and asked[0][0] is not None and asked[0][2] == 1 and asked[0][3] == 1  # in the search's block
    assert chain_compile._deferring == 0
    assert set(asked[0][1]) == {"float32", "float64"}


def _chain_search(tmp_path, name):
    def build(hp):
        model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu"),
                               Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    tuner = Tuner(build, objective="loss", max_trials=2, directory=tmp_path, project_name=name, seed=0, workers=1)
    with ops.use_ops("numba"):
        tuner.search(x, y, epochs=1, verbose=0)
    return tuner.study.trials


def test_trials_that_trained_layer_by_layer_for_the_helper_say_so(tmp_path, monkeypatch):
    calls = _kernel_calls(monkeypatch)
    assert all("chain_step_deferred" not in t.user_attrs for t in _chain_search(tmp_path, "cached"))
    assert calls  # the kernel trained them
    release = tmp_path / "release"
    start = chain_compile.compile_in_background
    monkeypatch.setattr(chain_compile, "cached", lambda kernel, dtype: False)
    monkeypatch.setattr(chain_compile, "_spare_cores", lambda busy: True)
    monkeypatch.setattr(chain_compile, "compile_in_background",
                        lambda kernel, dtypes, busy: start(kernel, dtypes, busy, command=_waiting_helper(release)))
    del calls[:]
    trials = _chain_search(tmp_path, "compiling")
    assert [t.user_attrs.get("chain_step_deferred") for t in trials] == [True, True] and calls == []
    release.touch()


def test_the_first_chain_fit_of_a_deferring_block_asks_for_the_helper_once(monkeypatch):
    asked = []
    monkeypatch.setattr(chain_compile, "compile_in_background",
                        lambda kernel, dtypes, busy: asked.append((list(dtypes), busy)) or False)
    not_a_chain = gw.Sequential([Input((4,)), Dense(8, activation="selu"), Dense(1, activation="sigmoid")], seed=1)
    not_a_chain.compile(optimizer="adam", loss="binary_crossentropy")
    _fit(_model())
    assert asked == []  # outside a block: never
    with chain_compile.deferring(["float32"], busy_cores=1):
        _fit(not_a_chain)
        assert asked == []  # a model the kernel does not train does not ask
        _fit(_model())
        _fit(_model())
    assert asked == [(["float32"], 1)]
