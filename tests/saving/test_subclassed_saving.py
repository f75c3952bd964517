"""Saving subclassed models, by the documented rule: weights into a freshly constructed instance
always; the whole model when its class is defined and rebuilt from get_config. Never pickled."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Add, BatchNormalization, Dense, Dropout, Lambda, Layer
from gradwise.saving import ModelFileError, load_model

from .builders import assert_same_weights, blobs


class SkipBlock(Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = Dense(units, activation="relu")
        self.norm = BatchNormalization()
        self.add = Add()

    def call(self, inputs, training=False):
        return self.add([inputs, self.norm(self.dense(inputs), training=training)])


class SavedNet(gw.Model):
    """Params, BatchNormalization state, a Dropout generator, a block and a Lambda."""

    def __init__(self, units=12, rate=0.3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stem = Dense(units, activation="relu")
        self.block = SkipBlock(units)
        self.dropout = Dropout(rate)
        self.soft = Lambda(np.tanh, derivative=lambda x: 1 - np.tanh(x) ** 2)
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        hidden = self.block(self.stem(inputs), training=training)
        return self.out(self.soft(self.dropout(hidden, training=training)))


def _compiled(seed=3, **kwargs):
    model = SavedNet(seed=seed, **kwargs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, x, y, epochs):
    return model.fit(x, y, epochs=epochs, batch_size=16, shuffle=True, verbose=0).history


def test_weights_load_into_a_freshly_constructed_instance(tmp_path):
    x, y = blobs()
    model = _compiled()
    _fit(model, x, y, 3)
    model.save_weights(tmp_path / "net.weights.gw")
    fresh = SavedNet(seed=11)  # other initial weights, other layer names
    fresh.load_weights(tmp_path / "net.weights.gw")  # built for the saved input shape first
    assert_same_weights(fresh, model)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_whole_model_resumes_bit_for_bit(tmp_path):
    x, y = blobs()
    uninterrupted = _compiled()
    full_history = _fit(uninterrupted, x, y, 6)
    first_half = _compiled()
    _fit(first_half, x, y, 3)
    first_half.save(tmp_path / "half.gw")
    resumed = load_model(tmp_path / "half.gw")
    assert type(resumed) is SavedNet and resumed.units == 12
    np.testing.assert_array_equal(resumed.predict(x, verbose=0), first_half.predict(x, verbose=0))
    second_history = _fit(resumed, x, y, 3)
    assert_same_weights(resumed, uninterrupted)
    assert second_history["loss"] == full_history["loss"][3:]
    assert resumed.optimizer.iterations == uninterrupted.optimizer.iterations == 36


def test_a_model_whose_arguments_are_not_plain_data_saves_by_its_own_get_config(tmp_path):
    class Wrapper(gw.Model):
        def __init__(self, head, **kwargs):
            super().__init__(**kwargs)
            self.head = head

        def call(self, inputs):
            return self.head(inputs)

    model = Wrapper(Dense(2), seed=0)
    model(np.ones((1, 3)))
    path = tmp_path / "wrapper.gw"
    path.write_bytes(b"kept")
    with pytest.raises(TypeError, match=r"Wrapper.get_config: the arguments of __init__ are not all plain data.*"
                                        r"Define get_config\(\).*or save only the weights"):
        model.save(path)
    assert path.read_bytes() == b"kept"  # nothing already saved is lost
    model.save_weights(tmp_path / "wrapper.weights.gw")

    class Configured(Wrapper):
        def __init__(self, units=2, **kwargs):
            super().__init__(Dense(units), **kwargs)
            self.units = units

        def get_config(self):
            return {"units": self.units, "name": self.name}

    model = Configured(units=4, name="configured")
    model(np.ones((1, 3)))
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is Configured and loaded.name == "configured" and loaded.units == 4
    np.testing.assert_array_equal(loaded(np.ones((2, 3))), model(np.ones((2, 3))))


def test_loading_needs_the_class_and_refuses_a_shadowed_one(tmp_path):
    def define():
        class Shadowed(gw.Model):
            def __init__(self):
                super().__init__()
                self.dense = Dense(2)

            def call(self, inputs):
                return self.dense(inputs)
        return Shadowed

    first = define()()
    first(np.ones((1, 3)))
    define()  # another class of that name replaces the first in the registry
    with pytest.raises(ValueError, match=r"another class is registered as Shadowed"):
        first.save(tmp_path / "shadowed.gw")
    second = gw.registry.lookup("model", "Shadowed")()
    second(np.ones((1, 3)))
    second.save(tmp_path / "shadowed.gw")
    gw.registry._tables["model"].pop("shadowed")
    with pytest.raises(ModelFileError, match=r"unknown model class 'Shadowed'"):
        load_model(tmp_path / "shadowed.gw")
