"""Networks with no hidden layer are solved to the optimum of their own penalized loss, and stay gradwise networks."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from gradwise.layers import Dense, Input
from gradwise.models import Sequential
from gradwise.regularizers import L1
from gradwise.tabular.linear import solvable, solve
from gradwise.tabular.space import build_default_model
from gradwise.tuning import HyperParameters

L2 = 0.01


def _data(task, rows=240, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 5)).astype(np.float32)
    signal = x @ np.array([1.5, -1.0, 0.5, 0.0, 0.25]) + rng.normal(scale=0.7, size=rows)
    if task == "binary":
        y = (signal > 0).astype(np.float32)
    elif task == "multiclass":
        y = np.digitize(signal, [-0.7, 0.7]).astype(np.float32)
    else:
        y = signal.astype(np.float32)
    return x, y.reshape(-1, 1)


def _linear(task, classes=None, l2=L2):
    return build_default_model(HyperParameters({"layers": 0, "l2": l2}), 5, task, classes)


def _penalized_gradient(task, kernel, bias, x, y, l2):
    """d/dW, d/db of mean(loss) + l2 ||W||^2, in float64, written from the losses' definitions."""
    x, kernel, bias = x.astype(np.float64), kernel.astype(np.float64), bias.astype(np.float64)
    z = x @ kernel + bias
    if task == "binary":
        residual = 1 / (1 + np.exp(-z)) - y
    elif task == "multiclass":
        p = np.exp(z - z.max(axis=1, keepdims=True))
        residual = p / p.sum(axis=1, keepdims=True) - np.eye(kernel.shape[1])[y[:, 0].astype(int)]
    else:
        residual = 2 * (z - y)
    return x.T @ residual / len(x) + 2 * l2 * kernel, residual.mean(axis=0)


@pytest.mark.parametrize("task, classes", [("binary", None), ("multiclass", 3), ("regression", None)])
def test_the_solved_weights_are_the_optimum_of_the_networks_penalized_loss(task, classes):
    x, y = _data(task)
    model = _linear(task, classes)
    assert solvable(model)
    solve(model, x, y)
    kernel, bias = model.layers[0].get_weights()
    grad_kernel, grad_bias = _penalized_gradient(task, kernel, bias, x, y, L2)
    assert np.abs(grad_kernel).max() < 1e-4 and np.abs(grad_bias).max() < 1e-4
    # and it is a minimum of what the network itself reports: any step away raises its loss
    loss = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    for step in (np.full_like(kernel, 0.02), np.random.default_rng(1).normal(scale=0.02, size=kernel.shape)):
        model.layers[0].set_weights([(kernel + step).astype(np.float32), bias])
        assert model.evaluate(x, y, verbose=0, return_dict=True)["loss"] > loss


def test_with_scikit_learns_penalty_it_is_logistic_regression():
    x, y = _data("binary")
    model = solve(_linear("binary", l2=1 / (2 * len(x))), x, y)  # LogisticRegression's C=1
    reference = LogisticRegression(tol=1e-8).fit(x, y[:, 0]).predict_proba(x)[:, 1]
    np.testing.assert_allclose(model.predict(x, verbose=0)[:, 0], reference, atol=2e-4)


def test_a_class_missing_from_the_rows_gets_no_probability_and_the_others_stay_right():
    x, y = _data("multiclass")
    present = y[:, 0] != 2
    model = solve(_linear("multiclass", 3), x[present], y[present])
    probabilities = model.predict(x, verbose=0)
    assert probabilities[:, 2].max() < 1e-6
    reference = LogisticRegression(C=1 / (2 * present.sum() * L2), tol=1e-8).fit(x[present], y[present, 0])
    np.testing.assert_allclose(probabilities[:, :2], reference.predict_proba(x), atol=1e-3)


@pytest.mark.parametrize("task, classes", [("binary", None), ("multiclass", 3)])
def test_rows_of_one_class_give_that_class_firmly_where_scikit_learn_refuses_to_fit(task, classes):
    x, y = _data(task)
    for only in (0, 1):  # a fold's training rows may hold one class of a rare one's table
        probabilities = solve(_linear(task, classes), x, np.full_like(y, only)).predict(x, verbose=0)
        if task == "binary":  # the probability of class 1
            probabilities = np.column_stack([1 - probabilities[:, 0], probabilities[:, 0]])
        assert probabilities[:, only].min() > 1 - 1e-6


def test_a_solved_network_is_still_a_trainable_gradwise_network(tmp_path):
    x, y = _data("regression")
    model = solve(_linear("regression"), x, y)
    model.save(tmp_path / "linear.gw")
    import gradwise

    loaded = gradwise.load_model(tmp_path / "linear.gw")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    before = loaded.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    loaded.fit(x, y, epochs=2, batch_size=32, verbose=0)  # its optimizer keeps the optimum (no weight decay)
    assert loaded.evaluate(x, y, verbose=0, return_dict=True)["loss"] == pytest.approx(before, rel=0.05)


def _dense_model(*layers, loss):
    model = Sequential([Input((5,)), *layers])
    model.compile(optimizer="adam", loss=loss)
    return model


@pytest.mark.parametrize("model", [
    lambda: build_default_model(HyperParameters({"layers": 1, "units": 8}), 5, "binary"),  # a hidden layer
    lambda: _dense_model(Dense(1, activation="sigmoid", kernel_regularizer=L1(0.01)), loss="binary_crossentropy"),
    lambda: _dense_model(Dense(1, activation="sigmoid"), loss="mse"),  # not convex
    lambda: _dense_model(Dense(2, activation="sigmoid"), loss="binary_crossentropy"),
    lambda: _dense_model(Dense(1, activation="relu"), loss="mse"),
], ids=["hidden-layer", "l1", "sigmoid-mse", "two-sigmoids", "relu"])
def test_only_convex_one_layer_networks_are_solvable(model):
    network = model()
    assert not solvable(network)
    with pytest.raises(ValueError, match="`model` must be one Dense layer"):
        solve(network, *_data("binary"))


def test_an_encoded_linear_model_is_solved_on_its_encoding_and_is_not_the_plain_fallback():
    from gradwise.layers import PiecewiseLinearEncoding
    from gradwise.tabular.linear import plain

    x, y = _data("binary")
    y = (np.abs(x[:, :1]) > 0.8).astype(np.float32)  # a band: no line separates it, bins do
    numbers = {"bin_edges": PiecewiseLinearEncoding(num_bins=8).adapt(x).bin_edges, "columns": list(range(5))}
    model = build_default_model(HyperParameters({"layers": 0, "l2": L2, "numbers": "piecewise"}), 5, "binary",
                                numbers=numbers)
    assert solvable(model) and not plain(model) and plain(_linear("binary"))
    solve(model, x, y)
    encoded = model.layers[0](x)
    reference = LogisticRegression(C=1 / (2 * len(x) * L2), tol=1e-8).fit(encoded, y[:, 0])
    np.testing.assert_allclose(model.predict(x, verbose=0)[:, 0], reference.predict_proba(encoded)[:, 1], atol=1e-3)
    accuracy = np.mean((model.predict(x, verbose=0)[:, 0] > 0.5) == y[:, 0])
    line = solve(_linear("binary"), x, y)
    assert accuracy > 0.95 > np.mean((line.predict(x, verbose=0)[:, 0] > 0.5) == y[:, 0]) + 0.15


def test_a_spline_of_one_curve_is_the_fallback_beside_the_plain_model_and_a_several_column_encoding_is_not():
    from gradwise.layers import PiecewiseLinearEncoding
    from gradwise.tabular.linear import one_curve, plain

    x, _ = _data("regression")

    def encoded(columns, layers=0):
        edges = PiecewiseLinearEncoding(num_bins=8, columns=columns).adapt(x).bin_edges
        return build_default_model(HyperParameters({"layers": layers, "units": 8, "l2": L2, "numbers": "piecewise"}),
                                   5, "regression", numbers={"bin_edges": edges, "columns": columns})

    assert one_curve(encoded([0])) and not plain(encoded([0]))  # one number, the others passed through: a spline
    assert not one_curve(encoded([0, 1]))  # an additive model of two curves: not a fallback
    assert not one_curve(encoded([0], layers=1))  # a network on the encoding
    assert not one_curve(_linear("regression")) and plain(_linear("regression"))


def _ramps(rows, knots, classes, seed=0):
    """A piecewise-linear encoding of one noisy number (nearly collinear ramps, ill-conditioned for lbfgs) and
    `classes` labels that follow the number."""
    from gradwise.layers import PiecewiseLinearEncoding

    rng = np.random.default_rng(seed)
    number = rng.normal(size=(rows, 1))
    x = np.asarray(PiecewiseLinearEncoding(num_bins=knots).adapt(number)(number), dtype=np.float64)
    labels = np.digitize(number[:, 0] + rng.normal(scale=0.7, size=rows), np.linspace(-1, 1, classes - 1))
    return x, labels


def _optimum(x, labels, inverse):
    """The penalized optimum by lbfgs run to a tight tolerance: the reference the quick path must reach."""
    return LogisticRegression(C=inverse, tol=1e-10, max_iter=100000).fit(x, labels)


def _gap(fitted, reference, x):
    """The largest difference of a predicted probability between two fits."""
    return np.max(np.abs(fitted.predict_proba(x) - reference.predict_proba(x)))


@pytest.mark.parametrize("classes", [2, 3])
def test_an_ill_conditioned_logistic_fit_goes_to_newton_at_the_same_optimum(classes):
    from gradwise.tabular.linear import QUICK_ITER, logistic_fit

    x, labels = _ramps(600, 120, classes)
    fitted = logistic_fit(x, labels, 1.0)
    assert fitted.solver == "newton-cholesky" and np.max(fitted.n_iter_) < QUICK_ITER
    assert _gap(fitted, _optimum(x, labels, 1.0), x) < 1e-3


def test_a_well_conditioned_logistic_fit_stays_with_lbfgs():
    from gradwise.tabular.linear import QUICK_ITER, logistic_fit

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 5))
    labels = (x @ np.arange(1.0, 6.0) + rng.normal(size=400) > 0).astype(int)
    fitted = logistic_fit(x, labels, 1.0)
    assert fitted.solver == "lbfgs" and np.max(fitted.n_iter_) < QUICK_ITER
    assert _gap(fitted, _optimum(x, labels, 1.0), x) < 1e-4


def test_past_newtons_width_lbfgs_goes_on_to_the_optimum(monkeypatch):
    import gradwise.tabular.linear as linear

    x, labels = _ramps(600, 120, 3)
    monkeypatch.setattr(linear, "NEWTON_WIDTH", 100)  # (120 + 1) * 2 inputs of the Hessian: too wide now
    fitted = linear.logistic_fit(x, labels, 1.0)
    assert fitted.solver == "lbfgs"
    assert np.max(fitted.n_iter_) > linear.QUICK_ITER  # it went on past its quick steps
    assert _gap(fitted, _optimum(x, labels, 1.0), x) < 1e-3


def test_past_newtons_width_lbfgs_stops_at_the_deadline(monkeypatch):
    import time

    import gradwise.tabular.linear as linear

    x, labels = _ramps(600, 120, 3)
    monkeypatch.setattr(linear, "NEWTON_WIDTH", 100)
    cut = linear.logistic_fit(x, labels, 1.0, deadline=time.time() - 1.0)  # no time left: its quick steps alone
    assert cut.solver == "lbfgs" and np.max(cut.n_iter_) == linear.QUICK_ITER
    later = linear.logistic_fit(x, labels, 1.0, deadline=time.time() + 600.0)  # time enough: to the optimum
    assert np.max(later.n_iter_) > linear.QUICK_ITER
    assert _gap(later, _optimum(x, labels, 1.0), x) < 1e-3 < _gap(cut, _optimum(x, labels, 1.0), x)


def test_with_a_deadline_newton_is_taken_only_where_a_step_of_it_fits_in_the_time_left():
    import time

    import gradwise.tabular.linear as linear

    x, labels = _ramps(600, 120, 3)  # lbfgs does not converge in its quick steps
    ample = linear.logistic_fit(x, labels, 1.0, deadline=time.time() + 600.0)
    assert ample.solver == "newton-cholesky" and _gap(ample, _optimum(x, labels, 1.0), x) < 1e-3
    late = linear.logistic_fit(x, labels, 1.0, deadline=time.time())  # no time for a Hessian: the quick steps
    assert late.solver == "lbfgs" and np.max(late.n_iter_) == linear.QUICK_ITER
    one = linear._newton(x, labels, 1.0, deadline=time.time() - 1.0)  # past the deadline: its first step alone
    assert one.solver == "newton-cholesky" and np.max(one.n_iter_) == 1
    assert _gap(one, _optimum(x, labels, 1.0), x) > _gap(ample, _optimum(x, labels, 1.0), x)
