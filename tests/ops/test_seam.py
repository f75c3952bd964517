"""The array seam: choosing the implementation, and layers and optimizers going through it."""

import subprocess
import sys

import numpy as np
import pytest

import gradwise
from gradwise import ops, registry
from gradwise.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D


class CountingOps(ops.NumpyOps, register=False):
    """NumPy's kernels, counting which ones were called."""

    def __init__(self):
        self.calls = {}

    def _count(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1

    def activate(self, *args, **kwargs):
        self._count("activate")
        return super().activate(*args, **kwargs)

    def activate_backward(self, *args, **kwargs):
        self._count("activate_backward")
        return super().activate_backward(*args, **kwargs)

    def dropout(self, *args, **kwargs):
        self._count("dropout")
        return super().dropout(*args, **kwargs)

    def columns_product(self, *args, **kwargs):
        self._count("columns_product")
        return super().columns_product(*args, **kwargs)

    def scatter_products(self, *args, **kwargs):
        self._count("scatter_products")
        return super().scatter_products(*args, **kwargs)

    def tile_pool(self, *args, **kwargs):
        self._count("tile_pool")
        return super().tile_pool(*args, **kwargs)

    def tile_pool_backward(self, *args, **kwargs):
        self._count("tile_pool_backward")
        return super().tile_pool_backward(*args, **kwargs)

    def update_parameters(self, *args, **kwargs):
        self._count("update_parameters")
        return super().update_parameters(*args, **kwargs)


def test_numpy_is_registered_and_available():
    assert "numpy" in ops.available_ops()
    assert registry.lookup("ops", "numpy") is ops.NumpyOps


def test_set_ops_by_name_class_or_instance_and_back_to_the_default():
    before = ops.get_ops()
    try:
        assert isinstance(ops.set_ops("numpy"), ops.NumpyOps)
        assert isinstance(ops.set_ops(ops.NumpyOps), ops.NumpyOps)
        mine = CountingOps()
        assert ops.set_ops(mine) is mine and ops.get_ops() is mine
        default = ops.set_ops(None)
        assert type(default).name in ops.available_ops()
    finally:
        ops.set_ops(before)


def test_use_ops_restores_the_previous_implementation_even_on_error():
    before = ops.get_ops()
    mine = CountingOps()
    with pytest.raises(RuntimeError):
        with ops.use_ops(mine) as current:
            assert current is mine and ops.get_ops() is mine
            raise RuntimeError("inside")
    assert ops.get_ops() is before


def test_unknown_names_and_wrong_types_are_refused_clearly():
    with pytest.raises(ValueError, match=r"set_ops: Unknown ops .nmupy.. Valid names: .*numpy"):
        ops.set_ops("nmupy")
    with pytest.raises(TypeError, match=r"set_ops: expected an Ops name such as 'numpy'.*got 3"):
        ops.set_ops(3)


def test_an_unavailable_implementation_is_refused_with_its_reason():
    class Missing(ops.NumpyOps, register=False):
        name = "missing"

        @classmethod
        def available(cls):
            return False

        @classmethod
        def unavailable_reason(cls):
            return "its compiler is not installed"

    with pytest.raises(ValueError, match=r"use_ops: the 'missing' ops cannot run here \(its compiler is not installed\)"):
        with ops.use_ops(Missing):
            pass


def _chosen_in_a_fresh_process(environment_value):
    code = "import gradwise; print(type(gradwise.ops.get_ops()).__name__)"
    env = {"PATH": "", "GRADWISE_OPS": environment_value, "PYTHONPATH": ":".join(sys.path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_the_environment_variable_chooses_the_implementation():
    done = _chosen_in_a_fresh_process("numpy")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NumpyOps"
    done = _chosen_in_a_fresh_process("bogus")
    assert done.returncode != 0
    assert "the environment variable GRADWISE_OPS" in done.stderr and "Unknown ops 'bogus'" in done.stderr


def test_layers_and_optimizers_compute_through_the_seam():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6, 6, 2)).astype(np.float32)
    y = rng.integers(0, 3, size=16)
    model = gradwise.Sequential([
        gradwise.Input((6, 6, 2)), Conv2D(3, 3, padding="same", activation="relu"),
        Conv2D(3, 3, padding="same", activation="relu"), MaxPooling2D(2), Flatten(),
        Dense(8, activation="tanh"), Dropout(0.25), Dense(3, activation="softmax"),
    ], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    counting = CountingOps()
    with ops.use_ops(counting):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    steps = 2
    assert counting.calls["update_parameters"] == steps
    # two convolutions; the first one's input gradient is never computed
    assert counting.calls["columns_product"] == 2 * steps and counting.calls["scatter_products"] == steps
    assert counting.calls["tile_pool"] == steps and counting.calls["tile_pool_backward"] == steps
    assert counting.calls["dropout"] == steps
    # the convolutions' and the hidden Dense's activations (the softmax fuses with the loss)
    assert counting.calls["activate"] >= 3 * steps and counting.calls["activate_backward"] >= 3 * steps


def test_training_is_identical_under_any_numpy_ops_instance():
    """A second NumpyOps object (no shared state beyond scratch) trains to the same bits."""
    def train(implementation):
        rng = np.random.default_rng(1)
        x, y = rng.normal(size=(40, 5)).astype(np.float32), rng.integers(0, 2, size=40)
        model = gradwise.Sequential([gradwise.Input((5,)), Dense(7, activation="relu"), Dropout(0.2),
                                     Dense(1, activation="sigmoid")], seed=3)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        with ops.use_ops(implementation):
            model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.get_weights()

    for first, second in zip(train(ops.NumpyOps()), train(CountingOps())):
        np.testing.assert_array_equal(first, second)


def test_without_numba_the_default_is_numpy_and_training_works():
    """numba made unimportable: gradwise imports, picks NumpyOps, trains, and says why numba is out."""
    code = "\n".join([
        "import sys",
        "class NoNumba:",
        "    def find_spec(self, name, path=None, target=None):",
        "        if name == 'numba' or name.startswith('numba.'):",
        "            raise ImportError('numba blocked for this test')",
        "sys.meta_path.insert(0, NoNumba())",
        "import numpy as np, gradwise",
        "assert type(gradwise.ops.get_ops()).__name__ == 'NumpyOps', gradwise.ops.get_ops()",
        "assert 'numba' not in gradwise.ops.available_ops()",
        "model = gradwise.Sequential([gradwise.Input((3,)), gradwise.Dense(4, activation='relu'),",
        "                             gradwise.layers.Dropout(0.5), gradwise.Dense(1, activation='sigmoid')], seed=0)",
        "model.compile(optimizer='adam', loss='binary_crossentropy')",
        "x = np.random.default_rng(0).normal(size=(20, 3)).astype('float32')",
        "model.fit(x, (x[:, 0] > 0).astype('float32'), epochs=2, verbose=0)",
        "try:",
        "    gradwise.ops.set_ops('numba')",
        "except ValueError as error:",
        "    print(error)",
        "assert 'numba' not in sys.modules",
    ])
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "the 'numba' ops cannot run here (numba is not installed: pip install 'gradwise[fast]' (numba blocked for this test))" in done.stdout


def test_numba_is_the_default_when_it_imports_and_gradwise_does_not_import_it():
    code = ("import sys, gradwise; assert 'numba' not in sys.modules; "
            "print(type(gradwise.ops.get_ops()).__name__); print('numba' in sys.modules)")
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["NumbaOps", "True"]
