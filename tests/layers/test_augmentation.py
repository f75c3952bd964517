"""Augmentation layers: the identity at inference, seeded draws while training, exact geometry
(a quarter turn is np.rot90, a quarter shift moves rows), gradients through a fixed draw checked
by central differences, and the generators saved with the model so training resumes exactly."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers

from .gradient_check import numeric_gradient, relative_error

SHAPE = (5, 6, 2)
FACTORIES = {
    "flip": lambda seed=0: layers.RandomFlip(seed=seed),
    "rotation": lambda seed=0: layers.RandomRotation(0.2, seed=seed),
    "rotation_constant_nearest": lambda seed=0: layers.RandomRotation(0.3, fill_mode="constant", fill_value=0.5,
                                                                      interpolation="nearest", seed=seed),
    "translation_wrap": lambda seed=0: layers.RandomTranslation(0.3, 0.2, fill_mode="wrap", seed=seed),
    "translation_nearest": lambda seed=0: layers.RandomTranslation((-0.4, 0.4), 0.1, fill_mode="nearest", seed=seed),
    "zoom": lambda seed=0: layers.RandomZoom(0.3, seed=seed),
    "zoom_aspect_constant": lambda seed=0: layers.RandomZoom((-0.3, 0.4), (0.1, 0.2), fill_mode="constant",
                                                             seed=seed),
    "contrast": lambda seed=0: layers.RandomContrast(0.4, value_range=(-1.5, 1.5), seed=seed),
    "crop": lambda seed=0: layers.RandomCrop(3, 4, seed=seed),
}


def _built(name, seed=0, dtype=np.float64):
    layer = FACTORIES[name](seed)
    layer.build_for(SHAPE, np.random.default_rng(0), dtype)
    return layer


def _images(batch=4, seed=1):
    return np.random.default_rng(seed).normal(size=(batch, *SHAPE))


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_identity_at_inference_random_while_training_and_seeded(name):
    images = _images()
    layer = _built(name)
    outputs, _ = layer.forward(images, training=False)
    if name == "crop":
        np.testing.assert_array_equal(outputs, images[:, 1:4, 1:5])  # the centred window
    else:
        assert outputs is images or np.array_equal(outputs, images)
    first = layer.forward(images, training=True)[0]
    second = layer.forward(images, training=True)[0]
    assert not np.array_equal(first, second)  # a new draw each call
    np.testing.assert_array_equal(_built(name).forward(images, training=True)[0], first)  # seeded
    assert not np.array_equal(_built(name, seed=9).forward(images, training=True)[0], first)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_gradients_through_a_fixed_draw_match_finite_differences(name):
    layer = _built(name)
    images = _images(3)
    state = layer._rng.bit_generator.state

    def forward():
        layer._rng.bit_generator.state = state  # the same draw on every call
        return layer.forward(images, training=True)

    outputs, cache = forward()
    upstream = np.random.default_rng(5).normal(size=outputs.shape)
    analytic = layer.backward(upstream, cache)
    numeric = numeric_gradient(lambda: float(np.sum(forward()[0] * upstream)), images)
    assert relative_error(analytic, numeric) < 1e-6


def test_flip_mirrors_each_image_or_leaves_it():
    images = _images(16)
    outputs = _built("flip").forward(images, training=True)[0]
    kinds = set()
    for image, output in zip(images, outputs):
        for kind, candidate in (("none", image), ("rows", image[::-1]), ("columns", image[:, ::-1]),
                                ("both", image[::-1, ::-1])):
            if np.array_equal(output, candidate):
                kinds.add(kind)
                break
        else:
            raise AssertionError("an output is neither the image nor a flip of it")
    assert kinds == {"none", "rows", "columns", "both"}
    horizontal = layers.RandomFlip("horizontal", seed=0)
    horizontal.build_for(SHAPE, np.random.default_rng(0), np.float64)
    for image, output in zip(images, horizontal.forward(images, training=True)[0]):
        assert np.array_equal(output, image) or np.array_equal(output, image[:, ::-1])


def test_a_quarter_turn_is_rot90_and_a_quarter_shift_moves_rows():
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    turn = layers.RandomRotation((0.25, 0.25), interpolation="nearest", seed=0)
    turn.build_for((4, 4, 1), np.random.default_rng(0), np.float64)
    np.testing.assert_allclose(turn.forward(image, training=True)[0][0, :, :, 0], np.rot90(image[0, :, :, 0]),
                               atol=1e-12)  # counter-clockwise, as Keras
    shift = layers.RandomTranslation((0.25, 0.25), 0.0, fill_mode="constant", seed=0)
    shift.build_for((4, 4, 1), np.random.default_rng(0), np.float64)
    expected = np.vstack([np.zeros((1, 4)), image[0, :3, :, 0]])
    np.testing.assert_allclose(shift.forward(image, training=True)[0][0, :, :, 0], expected, atol=1e-12)
    reflect = layers.RandomTranslation(0.0, (0.5, 0.5), fill_mode="reflect", interpolation="nearest", seed=0)
    reflect.build_for((4, 4, 1), np.random.default_rng(0), np.float64)
    row = reflect.forward(image, training=True)[0][0, 0, :, 0]
    np.testing.assert_array_equal(row, [1.0, 0.0, 0.0, 1.0])  # (b a | a b c d): reflected at the edge


def test_zoom_out_shrinks_about_the_centre_and_contrast_keeps_the_mean():
    image = np.ones((1, 9, 9, 1))
    zoom = layers.RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest", seed=0)
    zoom.build_for((9, 9, 1), np.random.default_rng(0), np.float64)
    shrunk = zoom.forward(image, training=True)[0][0, :, :, 0]
    assert shrunk[4, 4] == 1 and shrunk[0, 0] == 0 and 0.2 < shrunk.mean() < 0.35  # a quarter of the area
    contrast = layers.RandomContrast(0.5, value_range=(-100, 100), seed=0)
    contrast.build_for(SHAPE, np.random.default_rng(0), np.float64)
    images = _images(6)
    outputs = contrast.forward(images, training=True)[0]
    np.testing.assert_allclose(outputs.mean(axis=(1, 2)), images.mean(axis=(1, 2)), atol=1e-12)
    ratios = outputs.std(axis=(1, 2)) / images.std(axis=(1, 2))
    assert np.all((ratios >= 0.5) & (ratios <= 1.5)) and np.ptp(ratios) > 0.05
    clipped = layers.RandomContrast(0.5, seed=0)  # value_range (0, 255): negatives clipped to 0
    clipped.build_for(SHAPE, np.random.default_rng(0), np.float64)
    assert clipped.forward(images, training=True)[0].min() == 0.0


def test_crop_takes_windows_of_the_image():
    images = np.arange(4 * 5 * 6 * 2, dtype=np.float64).reshape(4, *SHAPE)
    outputs = _built("crop").forward(images, training=True)[0]
    assert outputs.shape == (4, 3, 4, 2)
    for image, output in zip(images, outputs):
        top, left = np.argwhere(image[..., 0] == output[0, 0, 0])[0]
        np.testing.assert_array_equal(output, image[top:top + 3, left:left + 4])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`mode` must be one of .*got 'diagonal'"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match=r"`factor` must be a number or a pair \(lower, upper\), got 'big'"):
        layers.RandomRotation("big")
    with pytest.raises(ValueError, match=r"`height_factor` must lie in \[-1.0, 1.0\], got 1.5"):
        layers.RandomTranslation(1.5, 0.1)
    with pytest.raises(ValueError, match=r"zoom factors must be above -1"):
        layers.RandomZoom((-1.0, 0.0))
    with pytest.raises(ValueError, match=r"`factor` must lie in \[0, 1\]"):
        layers.RandomContrast(1.5)
    with pytest.raises(ValueError, match=r"`fill_mode` must be one of .*got 'mirror'"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match=r"`data_format` must be 'channels_last'"):
        layers.RandomFlip(data_format="channels_first")
    with pytest.raises(ValueError, match=r"a crop of 8 x 4 does not fit images of per-sample shape \(5, 6, 2\)"):
        layers.RandomCrop(8, 4).build_for(SHAPE, np.random.default_rng(0), np.float64)
    with pytest.raises(ValueError, match=r"expected images of per-sample shape \(height, width, channels\)"):
        layers.RandomFlip().build_for((5, 6), np.random.default_rng(0), np.float64)


def _augmented_convnet():
    model = gw.Sequential([gw.Input((8, 8, 1)), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                           layers.RandomZoom(0.1), layers.RandomTranslation(0.1, 0.1), layers.RandomContrast(0.2),
                           layers.RandomCrop(6, 6), layers.Conv2D(4, 3, activation="relu"), layers.Flatten(),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_a_saved_model_resumes_the_same_augmentation_draws(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, size=(32, 8, 8, 1)).astype(np.float32)
    y = (x[:, :, :4].mean(axis=(1, 2, 3)) > x[:, :, 4:].mean(axis=(1, 2, 3))).astype(np.float32)
    model = _augmented_convnet()
    model.fit(x / 255, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "augmented.gw")
    loaded = gw.load_model(tmp_path / "augmented.gw")
    model.fit(x / 255, y, batch_size=8, epochs=1, verbose=0)
    loaded.fit(x / 255, y, batch_size=8, epochs=1, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(x[:4] / 255, verbose=0), model.predict(x[:4] / 255, verbose=0))
