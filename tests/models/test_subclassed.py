"""Subclassed models (``class MyModel(gradwise.Model)`` with ``call``): the define-by-run record by
finite differences, by hand and against PyTorch; tracking, training and nesting."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.callbacks import Callback
from gradwise.layers import Add, Concatenate, Dense, Dropout, Lambda, Layer, Multiply

from .test_functional_pytorch import _copy_dense, _train_both
from .test_model_gradients import finite_difference_check


class SharedResidual(gw.Model):
    """A residual connection, a tensor read three times and one layer called twice."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.trunk = Dense(4, activation="tanh", bias_initializer="random_normal")
        self.square = Dense(4, activation="tanh", bias_initializer="random_normal")  # called twice
        self.add = Add()
        self.mul = Multiply()
        self.join = Concatenate()
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        trunk = self.trunk(inputs)
        twice = self.square(self.square(trunk))
        return self.out(self.join([self.add([trunk, twice]), self.mul([trunk, twice])]))


def test_a_subclass_defining_call_is_a_subclassed_model():
    model = SharedResidual(name="shared")
    assert isinstance(model, gw.Model) and isinstance(model, gw.models.subclassed.SubclassedModel)
    assert model.name == "shared" and not model.built
    assert SharedResidual().name.startswith("shared_residual")  # Keras's default: the class name in snake case
    assert gw.registry.lookup("model", "SharedResidual") is SharedResidual


def test_residual_and_twice_called_layer_gradients_match_finite_differences(float64, rng):
    model = SharedResidual(seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.build((5,))
    assert model.layers == [model.trunk, model.square, model.add, model.mul, model.join, model.out]
    assert model.parameter_set.names.count(f"{model.square.name}/kernel") == 1  # one layer, stored once
    assert model._fused_output() == (0,)  # the loss reads the softmax layer's logits, as for other models
    finite_difference_check(model, rng.normal(size=(6, 5)), rng.integers(0, 3, size=6))


def test_predictions_follow_call(float64, rng):
    model = SharedResidual(seed=1)
    x = rng.normal(size=(7, 5))
    outputs = model.predict(x, verbose=0)

    def dense(layer, inputs):
        return inputs @ layer.params["kernel"] + layer.params["bias"]

    trunk = np.tanh(dense(model.trunk, x))
    twice = np.tanh(dense(model.square, np.tanh(dense(model.square, trunk))))
    logits = dense(model.out, np.concatenate([trunk + twice, trunk * twice], axis=-1))
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(outputs, expected, rtol=1e-10)
    np.testing.assert_array_equal(model(x), outputs)


class ResidualBlock(Layer):
    """A block: a Layer subclass whose call composes sublayers (x + sin(dense(x)))."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = Dense(units, activation="tanh", bias_initializer="random_normal")
        self.wave = Lambda(np.sin, derivative=np.cos)
        self.add = Add()

    def call(self, inputs):
        return self.add([inputs, self.wave(self.dense(inputs))])


class Gate(gw.Model):
    def __init__(self):
        super().__init__()
        self.gate = Dense(5, activation="sigmoid", activity_regularizer="l2")
        self.mul = Multiply()

    def call(self, inputs, training=False):
        return self.mul([inputs, self.gate(inputs)])


class Nested(gw.Model):
    """A Sequential, blocks in a list, a subclassed model and a functional head, all inside."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoder = gw.Sequential([Dense(5, activation="tanh", kernel_regularizer="l2")])
        self.blocks = [ResidualBlock(5), ResidualBlock(5)]
        self.parts = {"gate": Gate()}
        inputs = gw.Input((5,))
        self.head = gw.Model(inputs, Dense(2)(Dense(3, activation="tanh")(inputs)))

    def call(self, inputs, training=False):
        x = self.encoder(inputs)
        for block in self.blocks:
            x = block(x)
        return self.head(self.parts["gate"](x, training=training))


def test_nested_blocks_and_models_are_recorded_through(float64, rng):
    model = Nested(seed=0)
    model.compile(optimizer="sgd", loss="mse")
    model.build((4,))
    assert model.layers == [model.encoder, *model.blocks, model.parts["gate"], model.head]  # as Keras lists them
    leaves = model._all_layers()  # what the model builds, trains and saves
    assert [type(layer).__name__ for layer in leaves] == ["Dense", "Dense", "Lambda", "Add", "Dense", "Lambda",
                                                          "Add", "Dense", "Multiply", "Dense", "Dense"]
    assert len(model.get_weights()) == 2 * 6 and model.get_layer(model.blocks[1].dense.name) is model.blocks[1].dense
    assert model.count_params() == 25 + 2 * 30 + 30 + 18 + 8
    assert model.blocks[0].built and model.blocks[0].output_shape == (5,)
    finite_difference_check(model, rng.normal(size=(6, 4)), rng.normal(size=(6, 2)))
    lines = []
    model.summary(print_fn=lines.append)
    table = lines[0]
    assert f"{model.blocks[1].name} (ResidualBlock)" in table and "(None, 5)" in table
    assert f"{model.parts['gate'].name} (Gate)" in table and "Total params: 141" in table


def test_fit_evaluate_predict_and_the_step_hook(rng):
    class Classifier(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.hidden = Dense(16, activation="relu")
            self.dropout = Dropout(0.2)
            self.out = Dense(1, activation="sigmoid")

        def call(self, inputs, training=False):
            return self.out(self.dropout(self.hidden(inputs), training=training))

    class Steps(Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_step(self, step, data):
            self.seen.append((step, sorted(data["layer_outputs"]), data["logits"].shape))

    x = rng.normal(size=(256, 4))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    model = Classifier()
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    steps = Steps()
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0, callbacks=[steps], validation_split=0.25)
    assert history.history["accuracy"][-1] > 0.9 > history.history["accuracy"][0]
    assert len(history.history["val_loss"]) == 15
    names = sorted([model.hidden.name, model.dropout.name, model.out.name])
    assert steps.seen[0] == (0, names, (32, 1)) and len(steps.seen) == 15 * 6
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9
    np.testing.assert_array_equal(model.predict(x, verbose=0), model(x))
    assert not np.array_equal(model(x, training=True), model(x))  # dropout in training passes only
    assert model.train_on_batch(x[:32], y[:32])[0] > 0  # [loss, accuracy]


def test_the_default_training_flag_reaches_layers_called_without_it(rng):
    class Implicit(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.dropout = Dropout(0.5)

        def call(self, inputs):  # no `training` argument: Keras passes the model's to its layers
            return self.dropout(inputs)

    model = Implicit()
    x = rng.normal(size=(50, 8)).astype(np.float32)
    np.testing.assert_array_equal(model(x), x)
    assert (model(x, training=True) == 0).mean() > 0.3


def test_layers_in_lists_and_dicts_are_tracked_in_assignment_order(rng):
    class Tower(gw.Model):
        def __init__(self):
            super().__init__()
            self.stack = [Dense(6, activation="relu"), Dense(6, activation="relu")]
            self.named = {"out": Dense(2), "unused": Dense(9)}
            self.also = self.stack[0]  # the same layer again: tracked once

        def call(self, inputs):
            for layer in self.stack:
                inputs = layer(inputs)
            return self.named["out"](inputs)

    model = Tower()
    assert model.layers == [*model.stack, model.named["out"], model.named["unused"]]
    model(rng.normal(size=(3, 4)))
    assert [w.shape for w in model.get_weights()] == [(4, 6), (6,), (6, 6), (6,), (6, 2), (2,)]
    assert model.count_params() == 30 + 42 + 14 and not model.named["unused"].built
    assert model.get_layer(model.named["out"].name) is model.named["out"]
    assert [w.shape for w in model.trainable_weights] == [(4, 6), (6,), (6, 6), (6,), (6, 2), (2,)]
    model.stack[1].trainable = False
    assert [w.shape for w in model.non_trainable_weights] == [(6, 6), (6,)]
    model.trainable = False
    assert not any(layer.trainable for layer in model._all_layers()) and model.trainable_weights == []


def test_a_layer_called_only_in_some_passes_gets_a_zero_gradient(float64, rng):
    class Branchy(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.first = Dense(3)
            self.extra = Dense(3)

        def call(self, inputs, training=False):
            outputs = self.first(inputs)
            return self.extra(outputs) if inputs.shape[0] > 4 else outputs

    model = Branchy()
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 3))
    model(x)  # builds both layers (a batch of 1, as model.build runs, would take the other branch)
    model.compile(optimizer="sgd", loss="mse")
    _, grads = model.compute_gradients(x, y)
    assert np.abs(grads[f"{model.extra.name}/kernel"]).sum() > 0
    _, grads = model.compute_gradients(x[:3], y[:3])  # this pass skips `extra`: its gradient is 0, not stale
    assert np.abs(grads[f"{model.extra.name}/kernel"]).sum() == 0
    finite_difference_check(model, x[:3], y[:3])


class ResidualMLP(gw.Model):
    """The PyTorch comparison's model: two skips, the second around a layer called twice."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.h1 = Dense(6, activation="relu", bias_initializer="random_normal")
        self.h2 = Dense(6, bias_initializer="random_normal")
        self.h3 = Dense(6, activation="tanh", bias_initializer="random_normal")
        self.skip = Add()
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        hidden = self.skip([inputs, self.h2(self.h1(inputs))])
        hidden = self.skip([hidden, self.h3(self.h3(hidden))])
        return self.out(hidden)


def test_subclassed_residual_mlp_trains_as_pytorch(float64, rng):
    model = ResidualMLP(seed=3)
    model.build((6,))
    names = ("h1", "h2", "h3", "out")
    linears = {name: torch.nn.Linear(6, 3 if name == "out" else 6).double() for name in names}
    with torch.no_grad():
        for name, linear in linears.items():
            _copy_dense(linear, getattr(model, name))
    net = torch.nn.ModuleDict(linears)

    def forward(x):
        hidden = x + net["h2"](torch.relu(net["h1"](x)))
        hidden = hidden + torch.tanh(net["h3"](torch.tanh(net["h3"](hidden))))
        return net["out"](hidden)

    def pairs():
        for name, linear in linears.items():
            layer = getattr(model, name)
            yield layer.params["kernel"], linear.weight.T
            yield layer.params["bias"], linear.bias

    x = rng.normal(size=(40, 6))
    y = rng.integers(0, 3, size=40)
    _train_both(model, net, forward, x, y, torch.nn.functional.cross_entropy, pairs)


def test_lambda_inside_call_is_differentiated_by_its_derivative(float64, rng):
    def rows(inputs):
        return (inputs ** 2).sum(axis=-1, keepdims=True)

    # y = sum x^2  =>  dx = 2 x dy
    def rows_backward(grad_outputs, inputs, outputs):
        return 2 * inputs * grad_outputs

    class Energy(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.dense = Dense(3, bias_initializer="random_normal")
            self.energy = Lambda(rows, backward=rows_backward)
            self.double = Lambda(lambda x: 2 * x, derivative=lambda x: np.full_like(x, 2.0))

        def call(self, inputs):
            return self.double(self.energy(self.dense(inputs)))

    model = Energy()
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(5, 2))
    model.build((2,))
    np.testing.assert_allclose(model(x), 2 * rows(x @ model.dense.params["kernel"] + model.dense.params["bias"]))
    finite_difference_check(model, x, rng.normal(size=(5, 1)))


@pytest.mark.parametrize("case", ["block", "model"])
def test_blocks_and_models_called_alone_build_and_compute(rng, case):
    x = rng.normal(size=(3, 5))
    if case == "block":
        block = ResidualBlock(5)
        outputs = block(x)
        assert block.built and block.output_shape == (5,)
        expected = x + np.sin(block.dense(x))
    else:
        block = Gate()
        outputs = block(x)
        expected = x * block.gate(x)
    np.testing.assert_allclose(outputs, expected, rtol=1e-6)


def test_a_block_may_return_several_tensors(float64, rng):
    class TwoHeads(Layer):
        def __init__(self):
            super().__init__()
            self.mean = Dense(3, bias_initializer="random_normal")
            self.scale = Dense(3, activation="softplus")

        def call(self, inputs):
            return self.mean(inputs), self.scale(inputs)

    class Heads(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.heads = TwoHeads()
            self.mul = Multiply()

        def call(self, inputs):
            mean, scale = self.heads(inputs)
            return self.mul([mean, scale])

    model = Heads()
    model.compile(optimizer="sgd", loss="mse")
    model.build((4,))
    assert model.heads.output_shape == [(3,), (3,)]
    finite_difference_check(model, rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))


def test_a_block_runs_on_arrays_right_after_import_gradwise():
    # In a fresh interpreter nothing else has imported gradwise.models' recording yet: the block
    # runner must be registered by `import gradwise` alone (it once raised IndexError there).
    import subprocess
    import sys

    script = (
        "import numpy as np, gradwise\n"
        "class Block(gradwise.layers.Layer):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.dense = gradwise.layers.Dense(3)\n"
        "    def call(self, inputs):\n"
        "        return self.dense(inputs)\n"
        "print(Block()(np.ones((2, 4), dtype='float32')).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 3)"
