"""Keras entry points that ported code calls: lower-case class names, the Identity
initializer, top-level base classes, load_model's custom_objects/compile, JSON architectures
and register_keras_serializable."""

import json

import numpy as np
import pytest

import gradwise as gw
from gradwise import initializers, layers, regularizers


def test_lower_case_names_are_the_classes():
    assert regularizers.l2 is regularizers.L2 and regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.l2(0.001).get_config() == {"l2": 0.001}
    assert initializers.he_normal is initializers.HeNormal and initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.constant(0.5)((2,)).tolist() == [0.5, 0.5]
    assert gw.constraints.max_norm is gw.constraints.MaxNorm
    assert (gw.Loss, gw.Metric, gw.Optimizer, gw.Initializer, gw.Regularizer) == (
        gw.losses.Loss, gw.metrics.Metric, gw.optimizers.Optimizer, initializers.Initializer, regularizers.Regularizer)


def test_identity_initializer():
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((3, 3)), 2.0 * np.eye(3))
    np.testing.assert_array_equal(initializers.get("identity")((2, 3)), np.eye(2, 3))
    rnn = gw.Sequential([gw.Input((4, 2)), layers.SimpleRNN(3, recurrent_initializer="identity")])
    np.testing.assert_array_equal(rnn.layers[0].params["recurrent_kernel"], np.eye(3))
    with pytest.raises(ValueError, match="2-D matrices only"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="`gain` must be a finite number"):
        initializers.Identity(gain=float("nan"))


def _compiled_model():
    model = gw.Sequential([gw.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=1, verbose=0)
    return model


def test_load_model_compile_false_and_safe_mode(tmp_path, rng):
    model = _compiled_model()
    model.save(tmp_path / "model.gw")
    loaded = gw.models.load_model(tmp_path / "model.gw", compile=False, safe_mode=True)
    assert not loaded.compiled
    inputs = rng.normal(size=(5, 3))
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    assert gw.load_model(tmp_path / "model.gw").compiled
    with pytest.raises(TypeError, match="`compile` must be a bool"):
        gw.load_model(tmp_path / "model.gw", compile="no")


class Doubling(layers.Layer):
    def forward(self, inputs, training=False):
        return 2 * inputs, None

    # y = 2x  =>  dx = 2 dy
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return 2 * grad_outputs if input_grad else None


def test_custom_objects_resolve_a_name_the_registry_does_not_know(tmp_path, rng):
    model = gw.Sequential([gw.Input((3,)), Doubling(), layers.Dense(2)], seed=0)
    model.save(tmp_path / "model.gw")
    gw.registry.unregister("layer", Doubling)
    try:
        with pytest.raises(gw.saving.ModelFileError, match="Doubling"):
            gw.load_model(tmp_path / "model.gw")
        loaded = gw.load_model(tmp_path / "model.gw", custom_objects={"Doubling": Doubling})
        with gw.saving.custom_object_scope({"Doubling": Doubling}):
            scoped = gw.load_model(tmp_path / "model.gw")
        with pytest.raises(gw.saving.ModelFileError, match="Doubling"):  # the scope ended with its block
            gw.load_model(tmp_path / "model.gw")
    finally:
        gw.registry.register("layer", Doubling)
    assert gw.utils.CustomObjectScope is gw.saving.custom_object_scope
    inputs = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    np.testing.assert_array_equal(scoped.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        gw.load_model(tmp_path / "model.gw", custom_objects=[Doubling])


def test_json_architecture_round_trip(rng):
    model = _compiled_model()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Sequential"
    rebuilt = gw.models.model_from_json(text)
    assert [layer.get_config() for layer in rebuilt.layers] == [layer.get_config() for layer in model.layers]
    assert not rebuilt.compiled
    rebuilt.set_weights(model.get_weights())
    inputs = rng.normal(size=(3, 3))
    np.testing.assert_array_equal(rebuilt.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    inputs_tensor = gw.Input((2,))
    functional = gw.Model(inputs_tensor, layers.Dense(3)(inputs_tensor))
    assert type(gw.models.model_from_json(functional.to_json(indent=2))) is gw.Model
    with pytest.raises(ValueError, match="not JSON"):
        gw.models.model_from_json("{nope")
    with pytest.raises(ValueError, match="'class_name' and 'config'"):
        gw.models.model_from_json('{"layers": []}')


def test_register_keras_serializable(tmp_path):
    @gw.saving.register_keras_serializable(package="MyPackage", name="Halving")
    class HalvingLayer(layers.Layer):
        def forward(self, inputs, training=False):
            return inputs / 2, None

        # y = x / 2  =>  dx = dy / 2
        def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
            return grad_outputs / 2 if input_grad else None

    try:
        assert layers.deserialize({"class_name": "MyPackage>Halving", "config": {}}).__class__ is HalvingLayer
        assert layers.deserialize({"class_name": "HalvingLayer", "config": {}}).__class__ is HalvingLayer
        assert gw.utils.register_keras_serializable is gw.saving.register_keras_serializable
        with pytest.raises(TypeError, match="is not a subclass of a gradwise"):
            gw.saving.register_keras_serializable()(dict)
    finally:
        gw.registry.unregister("layer", HalvingLayer)


def test_one_value_per_sample_fits_an_input_of_shape_one_as_in_keras(rng):
    """Keras adds the last axis of an ``Input(shape=(1,))`` given a 1-D array (keras.io's
    structured-data example predicts from ``{name: np.array([value])}``)."""
    age, sex = gw.Input((1,), name="age"), gw.Input((1,), name="sex")
    model = gw.Model([age, sex], layers.Dense(1)(layers.concatenate([age, sex])))
    model.compile(optimizer="sgd", loss="mse")
    ages, sexes, targets = rng.normal(size=16), rng.integers(0, 2, 16), rng.normal(size=16)
    model.fit({"age": ages, "sex": sexes}, targets, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict({"age": ages, "sex": sexes}, verbose=0),
                                  model.predict({"age": ages[:, None], "sex": sexes[:, None]}, verbose=0))
    with pytest.raises(ValueError, match="per-sample shape"):  # only a missing last axis of 1 is added
        model.predict({"age": np.ones((4, 2)), "sex": np.ones((4, 1))}, verbose=0)


def test_keras_variable_names_and_session_helpers(rng):
    model = _compiled_model()
    model.layers[0].trainable = False
    assert len(model.variables) == len(model.weights) == 4
    assert [w.shape for w in model.trainable_variables] == [(4, 1), (1,)]
    assert [w.shape for w in model.non_trainable_variables] == [(3, 4), (4,)]
    dense = model.layers[1]
    assert [w.shape for w in dense.trainable_weights] == [(4, 1), (1,)] and dense.non_trainable_weights == []
    assert [w.shape for w in model.layers[0].non_trainable_variables] == [(3, 4), (4,)]
    assert gw.backend.epsilon() == 1e-7 and gw.backend.image_data_format() == "channels_last"
    gw.backend.clear_session()
    assert layers.Dense(2).name == "dense" and layers.Dense(2).name == "dense_1"


def test_learning_rate_assign_as_in_a_keras_callback():
    optimizer = gw.optimizers.Adam(0.01)
    assert optimizer.learning_rate == 0.01 and optimizer.learning_rate.numpy() == 0.01
    optimizer.learning_rate.assign(0.002)
    assert optimizer.learning_rate == 0.002 and optimizer.get_config()["learning_rate"] == 0.002

    class Halve(gw.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.optimizer.learning_rate.assign(self.model.optimizer.learning_rate * 0.5)

    model = _compiled_model()
    history = model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=3, verbose=0, callbacks=[Halve()])
    assert history.history["learning_rate"] == pytest.approx([0.001, 0.0005, 0.00025])
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer.learning_rate.assign(-1.0)


def test_add_weight_with_a_constraint():
    class Scaled(layers.Layer):  # Keras's build(input_shape), weights read through self.scale
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale",
                                         constraint=gw.constraints.NonNeg())

        def forward(self, inputs, training=False):
            return inputs * self.scale, inputs

        # y = s x  =>  dx = s dy, ds = sum over the batch of x dy
        def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
            grad = (cache * grad_outputs).sum(axis=0)
            self.grads["scale"][...] = self.grads["scale"] + grad if accumulate else grad
            return grad_outputs * self.scale if input_grad else None

    model = gw.Sequential([gw.Input((2,)), Scaled()], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.1), loss="mse")
    layer = model.layers[0]
    model.fit(np.ones((8, 2)), 3 * np.ones((8, 2)), epochs=1, verbose=0)  # the scale grows towards 3
    assert layer.scale is layer.params["scale"] and (layer.scale > 1).all()  # the attribute follows the packed buffer
    model.fit(np.ones((8, 2)), -np.ones((8, 2)), epochs=20, verbose=0)  # pulls the scale below zero
    np.testing.assert_array_equal(layer.params["scale"], [0.0, 0.0])
    np.testing.assert_array_equal(model.predict(np.ones((1, 2)), verbose=0), [[0.0, 0.0]])


def test_serialize_and_deserialize_keras_object_round_trip():
    from gradwise import utils

    dense = layers.Dense(3, activation="relu", kernel_regularizer=regularizers.L2(0.1))
    described = utils.serialize_keras_object(dense)
    assert described["class_name"] == "Dense" and described["registered_name"] == "Dense"
    json.dumps(described)  # JSON-ready
    rebuilt = utils.deserialize_keras_object(described)
    assert isinstance(rebuilt, layers.Dense) and rebuilt.get_config() == dense.get_config()
    adam = utils.deserialize_keras_object(utils.serialize_keras_object(gw.optimizers.Adam(0.01)))
    assert isinstance(adam, gw.optimizers.Adam) and float(adam.learning_rate) == 0.01
    assert isinstance(utils.deserialize_keras_object("relu"), gw.activations.ReLU)  # the function before the layer
    assert utils.get_registered_object("Dense") is layers.Dense and utils.get_registered_object("nothing") is None
    assert utils.get_registered_object("Mine", custom_objects={"Mine": int}) is int
    with pytest.raises(ValueError, match="unknown class 'Nothing'"):
        utils.deserialize_keras_object({"class_name": "Nothing", "config": {}})
    with pytest.raises(TypeError, match="no get_config"):
        utils.serialize_keras_object(object())


def test_get_custom_objects_is_read_by_names_everywhere():
    from gradwise import registry, utils

    class Tripled(gw.activations.ActivationFunction):
        name = "tripled_for_a_test"

        def forward(self, inputs):
            return 3 * inputs

        # d(3x)/dx = 3
        def backward(self, grad_outputs, inputs, outputs):
            return 3 * grad_outputs

    def plain(x):
        return x

    custom = utils.get_custom_objects()
    custom.update({"MyTriple": Tripled, "plain_function": plain})
    try:
        layer = layers.Dense(2, activation="mytriple")  # any case, as registered names
        assert isinstance(layer.activation, Tripled)
        with pytest.raises(TypeError, match="no derivative"):  # a plain function is refused with the reason
            layers.Dense(2, activation="plain_function")
    finally:
        del custom["MyTriple"], custom["plain_function"]
        registry.unregister("activation", Tripled)
    with pytest.raises(ValueError, match="Unknown activation 'mytriple'"):
        layers.Dense(2, activation="mytriple")


def test_register_keras_serializable_names_classes_and_functions():
    from gradwise import utils

    @gw.saving.register_keras_serializable(package="Tests")
    class Scaled(gw.initializers.Initializer):
        def __call__(self, shape, dtype=None, rng=None):
            return np.full(shape, 0.5, dtype=dtype)

    @gw.saving.register_keras_serializable(package="Tests", name="half")
    def halve(x):
        return x / 2

    try:
        assert utils.get_registered_name(Scaled) == "Tests>Scaled" == utils.get_registered_name(Scaled())
        assert utils.get_registered_name(halve) == "halve" and utils.get_registered_object("Tests>half") is halve

        class Child(Scaled):
            pass

        assert utils.get_registered_name(Child) == "Child"  # not its parent's registered name
    finally:
        for name in ("half", "Tests>half"):
            utils.get_custom_objects().pop(name, None)
        gw.registry.unregister("initializer", Scaled)
        gw.registry.unregister("initializer", Child)


def test_keras_data_helpers():
    from gradwise import utils

    x, y, w = np.ones((2, 1)), np.zeros(2), np.ones(2)
    assert utils.pack_x_y_sample_weight(x) == (x,) and len(utils.pack_x_y_sample_weight(x, y)) == 2
    assert utils.unpack_x_y_sample_weight((x, y)) == (x, y, None)
    assert utils.unpack_x_y_sample_weight(x)[0] is x
    assert utils.unpack_x_y_sample_weight(utils.pack_x_y_sample_weight(x, y, w))[2] is w
    with pytest.raises(ValueError, match="1 to 3 items"):
        utils.unpack_x_y_sample_weight((x, y, w, w))
    assert utils.Sequence is utils.PyDataset
    assert utils.is_keras_tensor(gw.Input((3,))) and not utils.is_keras_tensor(x)
    assert utils.standardize_dtype(np.float32) == "float32"
