"""Subclassed models given what they cannot do: NumPy on tensors inside `call`, layers they do not
hold, other outputs than one tensor, shapes that do not fit; each a clear TypeError or ValueError."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Add, Dense, Dropout, Layer


def _model(body, **layers):
    """A subclassed model holding `layers` whose call is body(self, inputs)."""

    class Body(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            for name, layer in layers.items():
                setattr(self, name, layer)

        def call(self, inputs, training=False):
            return body(self, inputs)

    return Body()


NUMPY_ON_TENSORS = {
    "x * 2": (lambda self, x: self.dense(x) * 2, r"`x \* 2`"),
    "2 * x": (lambda self, x: 2 * self.dense(x), r"`2 \* x`"),
    "x + y": (lambda self, x: self.dense(x) + self.dense(x), r"`x \+ y`"),
    "np.tanh": (lambda self, x: np.tanh(self.dense(x)), r"`np\.tanh\(\.\.\.\)`"),
    "ndarray * x": (lambda self, x: np.ones(3) * self.dense(x), r"`np\.multiply\(\.\.\.\)`"),
    "np.concatenate": (lambda self, x: np.concatenate([x, x], axis=1), r"`np\.concatenate\(\.\.\.\)`"),
    "slicing": (lambda self, x: self.dense(x[:, :2]), r"`x\[\.\.\.\] \(indexing or slicing\)`"),
    "a method": (lambda self, x: self.dense(x).mean(axis=1), r"`x\.mean`"),
    "a condition": (lambda self, x: self.dense(x) if x else x, r"`bool\(x\)"),
    "np.asarray": (lambda self, x: self.dense(np.asarray(x)), r"`np\.asarray\(x\)"),
}


@pytest.mark.parametrize("case", sorted(NUMPY_ON_TENSORS))
def test_numpy_on_a_tensor_inside_call_says_to_write_a_layer(rng, case):
    body, operation = NUMPY_ON_TENSORS[case]
    model = _model(body, dense=Dense(3))
    error = AttributeError if case == "a method" else TypeError
    with pytest.raises(error, match=rf"(?s)Body\.call: {operation}.*only layer calls are recorded.*Add / Subtract.*"
                                    r"gradwise\.layers\.Lambda\(function, derivative=\.\.\.\)"):
        model(rng.normal(size=(4, 3)))


def test_what_a_recorded_tensor_still_tells(rng):
    seen = {}

    def body(self, x):
        seen.update(shape=x.shape, dtype=x.dtype, ndim=x.ndim, length=len(x))
        return self.dense(x)

    _model(body, dense=Dense(2))(rng.normal(size=(5, 3)))
    assert seen == {"shape": (5, 3), "dtype": np.dtype("float32"), "ndim": 2, "length": 5}


def test_a_layer_made_inside_call_is_refused(rng):
    model = _model(lambda self, x: Dense(2, name="fresh")(x))
    with pytest.raises(ValueError, match=r"Body\.call: Dense 'fresh' is not held by Body '.*'\. Create each layer "
                                         r"once in __init__ and assign it to an attribute"):
        model(rng.normal(size=(4, 3)))


@pytest.mark.parametrize("result, message", [
    (lambda self, x: [self.dense(x), np.zeros((4, 2))], r"got \[<.*\] \(of type list\)"),
    (lambda self, x: np.zeros((4, 2)), r"got array\(.*\) \(of type ndarray\)"),
    (lambda self, x: None, r"got None \(of type NoneType\)"),
])
def test_call_must_return_tensors(rng, result, message):
    model = _model(result, dense=Dense(2))
    with pytest.raises(TypeError, match=rf"(?s)Body\.call must return a tensor, or a list, tuple or dict of tensors, "
                                        rf"made by layer calls on its inputs, "
                                        rf"{message}"):
        model(rng.normal(size=(4, 3)))


def test_a_layer_called_on_two_widths_names_itself_both_shapes_and_the_source(rng):
    model = _model(lambda self, x: self.shared(self.widen(self.shared(x))), shared=Dense(3, name="shared"),
                   widen=Dense(5, name="widen"))
    with pytest.raises(ValueError, match=r"Body\.call: Dense 'shared' was built for inputs of per-sample shape "
                                         r"\(3,\), but is called on \(5,\) from 'widen'"):
        model(rng.normal(size=(4, 3)))


def test_a_merge_layer_given_one_tensor_and_a_tensor_from_another_pass(rng):
    model = _model(lambda self, x: self.add(x), add=Add())
    with pytest.raises(TypeError, match=r"Body\.call: Add '.*' expected a list of tensors, got <RecordedTensor"):
        model(rng.normal(size=(4, 3)))
    kept = {}

    def body(self, x):
        outputs = self.dense(x)
        previous = kept.setdefault("tensor", outputs)
        return self.add([outputs, previous])

    model = _model(body, dense=Dense(3), add=Add())
    with pytest.raises(ValueError, match=r"an input of Add '.*' is a tensor from another call of a model"):
        model(rng.normal(size=(4, 3)))


def test_init_arguments_and_a_missing_super_init():
    class FunctionalStyle(gw.Model):
        def __init__(self):
            inputs = gw.Input((3,))
            super().__init__(inputs, Dense(2)(inputs))

        def call(self, inputs):
            return inputs

    with pytest.raises(TypeError, match=r"FunctionalStyle defines `call`, so Model.__init__ takes only name, seed, dtype "
                                        r"and trainable, got <Input name="):
        FunctionalStyle()

    class Forgetful(gw.Model):
        def __init__(self):
            self.dense = Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(AttributeError, match=r"Forgetful.__init__ must call super\(\).__init__\(\) before"):
        Forgetful().fit(np.zeros((2, 3)), np.zeros((2, 2)))


def test_unbuilt_models_and_bad_shapes(rng):
    model = _model(lambda self, x: self.dense(x), dense=Dense(2))
    with pytest.raises(ValueError, match=r"summary: Body '.*' is not built yet: its layers are built by its first "
                                         r"call\. Call it on data"):
        model.summary()
    with pytest.raises(ValueError, match=r"build: `input_shape` must be a tuple of positive ints such as \(8,\) or "
                                         r"\(None, 8\), got \(0,\)"):
        model.build((0,))
    model.build((None, 3))  # Keras's form, with the batch axis
    assert model.input_shape == (3,) and model.output_shape == (2,)
    with pytest.raises(ValueError, match=r"`x` has per-sample shape \(4,\) but the model expects \(3,\)"):
        model.predict(rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match=r"was built for inputs of per-sample shape \(3,\), got \(4,\)"):
        model.build((4,))


def test_a_layer_with_weights_first_called_in_a_training_pass_during_fit(rng):
    class Late(gw.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.early = Dense(2)
            self.late = Dense(2)
            self.dropout = Dropout(0.5)

        def call(self, inputs, training=False):
            return self.late(self.dropout(inputs, training=True)) if training else self.early(inputs)

    model = Late()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"Late\.call: layer\(s\) \['.*'\] were first reached in a training pass, "
                                         r"after the model's weights were gathered for the optimizer"):
        model.fit(rng.normal(size=(8, 3)), rng.normal(size=(8, 2)), verbose=0)


def test_a_block_reaching_a_layer_it_does_not_hold(rng):
    outside = Dense(2, name="outside")

    class Leaky(Layer):
        def call(self, inputs):
            return outside(inputs)

    with pytest.raises(ValueError, match=r"Leaky\.call: Dense 'outside' is not held by Leaky"):
        Leaky()(rng.normal(size=(2, 3)))


def test_a_block_in_a_sequential_says_where_it_runs():
    class Block(Layer):
        def __init__(self):
            super().__init__()
            self.dense = Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(TypeError, match=r"Block '.*' is a block \(its `call` composes other layers\), which runs "
                                        r"inside a subclassed model's call"):
        gw.Sequential([gw.Input((3,)), Block()])
    with pytest.raises(TypeError, match=r"a Sequential or functional model cannot hold it yet"):
        Block()(gw.Input((3,)))


def test_a_custom_train_step_is_refused_where_the_class_is_defined():
    with pytest.raises(TypeError, match=r"CustomModel defines train_step, which gradwise's fit/evaluate/predict would "
                                        r"never call.*on_train_step\(step, data\)"):
        class CustomModel(gw.Model):
            def call(self, inputs):
                return inputs

            def train_step(self, data):
                return {}


def test_a_subclassed_model_with_a_constant_cannot_be_a_graph_layer():
    model = _model(lambda self, x: self.add([self.dense(x), np.ones((1, 2))]), dense=Dense(2), add=Add())
    with pytest.raises(TypeError, match=r"Body '.*': its call uses a constant array, which a model used as a layer of "
                                        r"a Sequential or functional graph cannot hold"):
        model(gw.Input((3,)))

