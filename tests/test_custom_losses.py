"""Custom losses (Keras' Loss subclass with call, plus its gradient), check_gradients, and function losses refused."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import losses
from gradwise.layers import Dense
from gradwise.testing import GradientCheckError, check_gradients


class LogCosh(losses.Loss):
    def call(self, y_true, y_pred):
        return np.log(np.cosh(y_pred - y_true)).mean(axis=-1)

    # L = mean(log cosh(p - y))  =>  dL/dp = tanh(p - y) / n
    def gradient(self, y_true, y_pred):
        return np.tanh(y_pred - y_true) / y_pred.shape[-1]


class WrongLogCosh(LogCosh):
    def gradient(self, y_true, y_pred):
        return np.tanh(y_pred - y_true)  # forgets the 1/n of the mean


class ElementwiseSquare(losses.Loss):
    """call returns one value per element: the base class averages them per sample."""

    def call(self, y_true, y_pred):
        return (y_pred - y_true) ** 2

    def gradient(self, y_true, y_pred):
        return 2 * (y_pred - y_true) / y_pred[0].size


def _regression(rng, samples=64):
    x = rng.normal(size=(samples, 3))
    return x, x @ np.array([[1.0], [-2.0], [0.5]])


def test_custom_loss_passes_check_and_matches_keras_reduction(rng):
    assert check_gradients(LogCosh()).errors["y_pred"] < 1e-8
    assert check_gradients(ElementwiseSquare(), rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))).passed
    y_true, y_pred = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    assert LogCosh()(y_true, y_pred) == pytest.approx(np.log(np.cosh(y_pred - y_true)).mean())
    assert LogCosh().name == "log_cosh" and LogCosh(name="lc").name == "lc"
    weights = rng.uniform(size=5)
    assert ElementwiseSquare()(y_true, y_pred, weights) == pytest.approx(
        np.dot(((y_pred - y_true) ** 2).mean(axis=1), weights) / 5)


def test_a_wrong_gradient_fails_the_check():
    with pytest.raises(GradientCheckError, match=r"WrongLogCosh's gradient disagrees with central differences "
                                                 r"\(relative error y_pred: \d\.\d\de-01"):
        check_gradients(WrongLogCosh())


class SavedLogCosh(LogCosh):
    """LogCosh under a name no other module registers: the Keras porting guide, run by the docs
    tests in the same process, defines its own LogCosh, and a name maps to the last class."""


def test_custom_loss_trains_and_saves_when_registered(rng, tmp_path):
    x, y = _regression(rng)
    model = gw.Sequential([gw.Input((3,)), Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss=SavedLogCosh())
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    model.save(tmp_path / "model.gw")  # SavedLogCosh registered itself by subclassing Loss
    loaded = gw.load_model(tmp_path / "model.gw")
    assert type(loaded.loss) is SavedLogCosh
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


@pytest.mark.parametrize("loss, error, message", [
    (type("NoGradient", (losses.Loss,), {"call": lambda self, t, p: (p - t).sum(axis=-1)}), NotImplementedError,
     r"NoGradient must define gradient\(y_true, y_pred\).*check_gradients"),
    (type("ScalarCall", (LogCosh,), {"call": lambda self, t, p: float(np.mean(p - t))}), ValueError,
     r"ScalarCall.call must return one loss value per sample, shape \(16,\), got shape \(\)"),
    (type("BadShape", (LogCosh,), {"gradient": lambda self, t, p: p.sum(axis=-1)}), ValueError,
     r"BadShape.gradient must return an array shaped like y_pred, \(16, 1\), got shape \(16,\)"),
])
def test_incomplete_custom_losses_fail_clearly_in_fit(loss, error, message, rng):
    x, y = _regression(rng, 16)
    model = gw.Sequential([gw.Input((3,)), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss=loss())
    with pytest.raises(error, match=message):
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)


def test_a_gradient_aliasing_its_inputs_is_copied_before_scaling(rng):
    class Identity(losses.Loss):
        def call(self, y_true, y_pred):
            return y_pred.sum(axis=-1)

        def gradient(self, y_true, y_pred):
            return y_true  # aliases y_true: the reduction must not scale the caller's array

    y_true = np.ones((4, 2))
    kept = y_true.copy()
    Identity().value_and_gradient(y_true, np.zeros((4, 2)))
    np.testing.assert_array_equal(y_true, kept)


def test_a_plain_function_is_refused_with_the_class_to_write():
    def weighted_mse(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(axis=-1)

    model = gw.Sequential([gw.Input((3,)), Dense(1)])
    with pytest.raises(TypeError, match=r"(?s)`loss` got the function 'weighted_mse': gradwise trains with a loss's "
                                        r"gradient.*class WeightedMse\(gradwise.losses.Loss\):.*def call\(self, "
                                        r"y_true, y_pred\):.*def gradient.*check_gradients\(WeightedMse\(\)\)"):
        model.compile(optimizer="adam", loss=weighted_mse)
    with pytest.raises(TypeError, match=r"`loss` must be a Loss instance, got the class LogCosh; write LogCosh\(\)"):
        model.compile(optimizer="adam", loss=LogCosh)


def test_gradwise_loss_functions_resolve_to_their_classes():
    assert type(losses.get(losses.mean_squared_error)) is losses.MeanSquaredError
    assert type(losses.get(losses.mse)) is losses.MeanSquaredError
    assert type(losses.get(losses.sparse_categorical_crossentropy)) is losses.SparseCategoricalCrossentropy


def test_loss_arguments_are_checked():
    with pytest.raises(TypeError, match=r"LogCosh: `from_logits` must be True or False, got 'log_cosh'; give a "
                                        r"loss's name as name="):
        LogCosh("log_cosh")
    with pytest.raises(ValueError, match=r"LogCosh: `reduction` must be 'sum_over_batch_size'.*got 'sum'"):
        LogCosh(reduction="sum")


# ----- check_gradients on layers --------------------------------------------------------------
class _SkewedDense(Dense):
    """Dense whose kernel gradient is 1% off: the check must notice."""

    def backward(self, *args):
        grad_inputs = super().backward(*args)
        self.grads["kernel"] *= 1.01
        return grad_inputs


def test_check_gradients_on_layers():
    result = check_gradients(Dense(4, activation="tanh"), input_shape=(3,))
    assert set(result.errors) == {"inputs", "kernel", "bias"} and result.passed
    with pytest.raises(GradientCheckError, match=r"_SkewedDense's gradient disagrees.*kernel: \d\.\d\de-03"):
        check_gradients(_SkewedDense(4), input_shape=(3,))


def test_check_gradients_bad_input():
    with pytest.raises(TypeError, match=r"`layer_or_loss` must be a gradwise Layer, Loss or ActivationFunction, got 3 of type int"):
        check_gradients(3)
    with pytest.raises(ValueError, match=r"give `inputs` or `input_shape` for the unbuilt layer Dense"):
        check_gradients(Dense(2))
    layer = Dense(2)
    layer(np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"is built in float32; finite differences need float64"):
        check_gradients(layer)


class Scale(gw.layers.Layer):
    """A user's layer: outputs = inputs * scale, one scale per feature."""

    def build(self, input_shape, rng):
        self.params["scale"] = rng.uniform(0.5, 1.5, size=input_shape[-1:])

    def forward(self, inputs, training=False):
        return inputs * self.params["scale"], inputs

    # y = x s  =>  ds = sum over batch of dy x,  dx = dy s
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        grad_scale = (grad_outputs * cache).sum(axis=0)
        if accumulate:
            self.grads["scale"] += grad_scale
        else:
            self.grads["scale"][...] = grad_scale
        return grad_outputs * self.params["scale"] if input_grad else None


class AddingScale(Scale):
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        self.grads["scale"] += (grad_outputs * cache).sum(axis=0)  # must write on a first call
        return grad_outputs * self.params["scale"]


def test_check_gradients_on_a_user_layer():
    assert check_gradients(Scale(), input_shape=(4,)).passed
    with pytest.raises(GradientCheckError, match=r"scale: nan.*backward left gradient entries unwritten"):
        check_gradients(AddingScale(), input_shape=(4,))


# ----- custom activations ------------------------------------------------------------------
class Mish(gw.activations.ActivationFunction):
    name = "my_mish"  # not "mish": that name is gradwise's own, which a registration would replace

    def forward(self, inputs):
        return inputs * np.tanh(np.logaddexp(0.0, inputs))

    # mish(x) = x tanh(sp(x))  =>  d/dx = tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x)
    def backward(self, grad_outputs, inputs, outputs):
        tanh_softplus = np.tanh(np.logaddexp(0.0, inputs))
        sigmoid = 0.5 * (1.0 + np.tanh(0.5 * inputs))
        return grad_outputs * (tanh_softplus + inputs * (1.0 - tanh_softplus**2) * sigmoid)


class WrongMish(Mish):
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * np.tanh(np.logaddexp(0.0, inputs))  # drops the second term


def test_custom_activation_is_checked_and_trains(rng):
    assert check_gradients(Mish()).passed
    with pytest.raises(GradientCheckError, match=r"WrongMish's gradient disagrees with central differences"):
        check_gradients(WrongMish())
    x, y = _regression(rng)
    model = gw.Sequential([gw.Input((3,)), Dense(8, activation=Mish()), Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_a_plain_function_as_activation_names_the_class_to_write():
    def my_mish(x):
        return x * np.tanh(np.log1p(np.exp(x)))

    with pytest.raises(TypeError, match=r"(?s)`activation` got the function 'my_mish': .*class MyActivation\("
                                        r"gradwise.activations.ActivationFunction\).*return my_mish\(inputs\).*"
                                        r"check_gradients\(MyActivation\(\)\)"):
        Dense(4, activation=my_mish)
