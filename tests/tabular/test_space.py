"""The default search space of `gradwise tune`: its ranges, the models it builds, the portfolio it starts with."""

import pytest
from optuna.distributions import CategoricalDistribution

from gradwise.layers import BatchNormalization, Dense, Dropout
from gradwise.optimizers import AdamW
from gradwise.tabular.space import PORTFOLIO, build_default_model, portfolio, telling_params
from gradwise.tuning import HyperParameters
from gradwise.tuning.distributions import contains
from gradwise.tuning.study import probe_space


def test_space_holds_the_linear_models_and_the_regularized_mlps():
    space = probe_space(lambda hp: build_default_model(hp, 8, "binary"), draws=20)
    assert (space["layers"].low, space["layers"].high) == (0, 3)
    assert (space["units"].low, space["units"].high, space["units"].log) == (16, 512, True)
    assert set(space["activation"].choices) == {"relu", "elu", "gelu"}
    assert (space["learning_rate"].low, space["learning_rate"].high, space["learning_rate"].log) == (1e-4, 3e-2, True)
    assert (space["dropout"].low, space["dropout"].high) == (0.0, 0.5)
    assert (space["l2"].low, space["l2"].high, space["weight_decay"].high) == (1e-6, 1e-1, 1e-1)
    assert (space["input_l1"].low, space["input_l1"].high, space["input_l1"].log) == (1e-6, 1e-1, True)
    assert isinstance(space["batch_norm"], CategoricalDistribution)
    for rows in (10, 500, 10**7):  # every start configuration lies inside the space
        for params in portfolio(rows):
            assert all(contains(space[name], value) for name, value in params.items())
    assert portfolio(500)[0]["l2"] == 1e-3 and portfolio(500)[1:] == PORTFOLIO[1:]


def test_no_hidden_layer_with_l2_is_logistic_regression():
    model = build_default_model(HyperParameters({"layers": 0, "l2": 0.01}), 6, "binary")
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert model.layers[0].activation.name == "sigmoid" and model.layers[0].kernel_regularizer.l2 == 0.01


@pytest.mark.parametrize("task, classes, units, activation, loss", [
    ("binary", None, 1, "sigmoid", "binary_crossentropy"),
    ("multiclass", 4, 4, "softmax", "sparse_categorical_crossentropy"),
    ("regression", None, 1, "linear", "mean_squared_error"),
])
def test_output_layer_and_loss_follow_the_task(task, classes, units, activation, loss):
    model = build_default_model(HyperParameters({"layers": 2}), 5, task, classes)
    output = model.layers[-1]
    assert output.units == units and output.activation.name == activation
    assert model.loss.name == loss


def test_batch_norm_dropout_and_weight_decay_are_applied():
    values = {"layers": 2, "units": 16, "batch_norm": True, "dropout": 0.25, "learning_rate": 0.01,
              "weight_decay": 0.002}
    model = build_default_model(HyperParameters(values), 3, "binary")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dropout"] * 2 + ["Dense"]
    assert [layer.units for layer in model.layers if isinstance(layer, Dense)] == [16, 16, 1]
    assert all(layer.rate == 0.25 for layer in model.layers if isinstance(layer, Dropout))
    assert sum(isinstance(layer, BatchNormalization) for layer in model.layers) == 2
    assert isinstance(model.optimizer, AdamW) and model.optimizer.weight_decay == 0.002
    assert telling_params(values) == {"layers": 2, "units": 16, "dropout": 0.25, "batch_norm": True,
                                      "weight_decay": 0.002, "learning_rate": 0.01}


def test_only_the_first_layers_kernel_carries_the_input_l1_penalty():
    values = {"layers": 3, "units": 16, "batch_norm": False, "dropout": 0.0, "l2": 1e-4, "input_l1": 1e-2}
    model = build_default_model(HyperParameters(values), 7, "binary")
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    assert (dense[0].kernel_regularizer.l1, dense[0].kernel_regularizer.l2) == (1e-2, 1e-4)
    assert all((layer.kernel_regularizer.l1, layer.kernel_regularizer.l2) == (0.0, 1e-4) for layer in dense[1:])
    with_bn = build_default_model(HyperParameters({**values, "batch_norm": True}), 7, "binary")
    assert [layer for layer in with_bn.layers if isinstance(layer, Dense)][0].kernel_regularizer.l1 == 1e-2


def test_the_input_l1_penalty_drives_the_weights_of_noise_columns_toward_zero():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    y = ((x[:, 0] * x[:, 1] > 0) ^ (x[:, 0] > 1)).astype(np.float64).reshape(-1, 1)  # columns 2-5: noise
    kernels = {}
    for input_l1 in (1e-6, 3e-2):
        values = {"layers": 2, "units": 32, "activation": "relu", "batch_norm": False, "dropout": 0.0, "l2": 1e-6,
                  "input_l1": input_l1, "weight_decay": 1e-6, "learning_rate": 3e-3}
        model = build_default_model(HyperParameters(values), 6, "binary")
        model.fit(x, y, epochs=60, batch_size=32, verbose=0)
        kernels[input_l1] = np.abs(model.layers[0].get_weights()[0])
    share = {key: kernel[2:].sum() / kernel.sum() for key, kernel in kernels.items()}  # the noise columns' share
    assert share[3e-2] < 0.5 * share[1e-6]


def test_a_start_configuration_prunes_the_inputs_with_l1():
    assert any(params.get("input_l1", 0) >= 1e-3 for params in PORTFOLIO)
    assert all(params["input_l1"] > 0 for params in PORTFOLIO if params["layers"])


def _bins(x, numeric, task="regression"):
    from gradwise.tabular.space import number_bins

    return number_bins(x, numeric, task)


def test_numbers_enter_standardized_or_piecewise_encoded_where_the_table_has_numbers_to_bend():
    import numpy as np

    from gradwise.layers import PiecewiseLinearEncoding

    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=200), rng.integers(0, 2, size=200), rng.normal(size=200), np.eye(2)[
        rng.integers(0, 2, size=200)]])  # numbers: columns 0-2 (column 1 a 0/1 flag); then one one-hot category
    numbers = _bins(x, 3)
    assert numbers["columns"] == [0, 2] and len(numbers["bin_edges"]) == 2  # the flag has nothing to bend
    assert _bins(x, 0) is None and _bins(x[:, 1:2], 1) is None
    space = probe_space(lambda hp: build_default_model(hp, 5, "binary", numbers=numbers), draws=20)
    assert set(space["numbers"].choices) == {"standard", "piecewise"}
    assert "numbers" not in probe_space(lambda hp: build_default_model(hp, 5, "binary"), draws=5)
    encoded = build_default_model(HyperParameters({"layers": 0, "l2": 0.01, "numbers": "piecewise"}), 5, "binary",
                                  numbers=numbers)
    assert [type(layer).__name__ for layer in encoded.layers] == ["PiecewiseLinearEncoding", "Dense"]
    assert encoded.layers[0].bin_edges == numbers["bin_edges"] and encoded.layers[0].columns == [0, 2]
    assert encoded.layers[1].get_weights()[0].shape[0] == 8 + 8 + 3  # two columns in 8 bins, the flag and the one-hot pass
    plain = build_default_model(HyperParameters({"layers": 0, "l2": 0.01, "numbers": "standard"}), 5, "binary",
                                numbers=numbers)
    assert not any(isinstance(layer, PiecewiseLinearEncoding) for layer in plain.layers)


def test_the_portfolio_names_the_encoding_and_tries_the_additive_model_second():
    space = probe_space(lambda hp: build_default_model(hp, 8, "binary", numbers={"bin_edges": [[0.0, 1.0, 2.0]],
                                                                                  "columns": [0]}), draws=20)
    for rows in (10, 500, 10**7):
        starts = portfolio(rows, numbers=True)
        assert all(contains(space[name], value) for params in starts for name, value in params.items())
        assert all("numbers" in params for params in starts)
        assert starts[0] == {**portfolio(rows)[0], "numbers": "standard"}  # the plain linear model stays first
        assert starts[1] == {"layers": 0, "l2": starts[0]["l2"], "numbers": "piecewise"}
        assert [dict(p, numbers=None) for p in starts if p["numbers"] == "standard"] == [
            dict(p, numbers=None) for p in portfolio(rows)]
        assert starts[-1]["numbers"] == "piecewise" and starts[-1]["layers"] == 2
    assert telling_params({"layers": 0, "l2": 0.1, "numbers": "piecewise"})["numbers"] == "piecewise"


def test_the_additive_model_of_a_narrow_table_may_take_a_finer_encoding_and_starts_with_both():
    import numpy as np

    from gradwise.tabular.space import FINE_BINS, FINE_WIDTH

    rng = np.random.default_rng(1)
    x = np.column_stack([rng.normal(size=300), rng.uniform(size=300), np.eye(3)[rng.integers(0, 3, size=300)]])
    numbers = _bins(x, 2)
    assert [len(edges) for edges in numbers["fine_edges"]] == [FINE_BINS + 1] * 2  # quantile edges of 64 bins
    assert [len(edges) for edges in numbers["bin_edges"]] == [9, 9]
    wide = rng.normal(size=(1100, FINE_WIDTH // 16 + 1))  # 33 columns: 15 finer bins each would be no finer choice
    assert "fine_edges" not in _bins(wide, wide.shape[1]) and "fine_edges" in _bins(wide[:, :32], 32)
    assert "fine_edges" not in _bins(wide[:1000, :32], 32)  # 1,000 rows: at most 15 bins for 32 columns
    assert [len(edges) for edges in _bins(x[:80], 2)["fine_edges"]] == [21, 21]  # 80 rows, two numbers: 20 bins
    assert "fine_edges" not in _bins(x[:60], 2)  # 15 bins each would be no finer choice

    def build(values):
        return build_default_model(HyperParameters(values), 5, "regression", numbers=numbers)

    fine = build({"layers": 0, "l2": 0.01, "numbers": "piecewise", "fine_bins": True})
    assert fine.layers[0].bin_edges == numbers["fine_edges"] and fine.layers[0].columns == [0, 1]
    assert fine.layers[1].get_weights()[0].shape[0] == 2 * FINE_BINS + 3
    coarse = build({"layers": 0, "l2": 0.01, "numbers": "piecewise", "fine_bins": False})
    assert coarse.layers[1].get_weights()[0].shape[0] == 2 * 8 + 3
    mlp = build({"layers": 1, "units": 16, "numbers": "piecewise", "fine_bins": True})  # a network keeps 8 bins
    assert mlp.layers[0].bin_edges == numbers["bin_edges"]
    space = probe_space(lambda hp: build_default_model(hp, 5, "regression", numbers=numbers), draws=40)
    assert set(space["fine_bins"].choices) == {False, True}
    starts = portfolio(200, numbers=True, fine=True)
    assert starts[1] == {"layers": 0, "l2": starts[0]["l2"], "numbers": "piecewise", "fine_bins": False}
    assert starts[2] == {"layers": 0, "l2": starts[0]["l2"], "numbers": "piecewise", "fine_bins": True}
    assert all(contains(space[name], value) for params in starts for name, value in params.items())
    assert [p for p in portfolio(200, numbers=True, fine=False) if p.get("fine_bins")] == []


def test_one_curve_gets_a_knot_at_every_training_row_up_to_its_bound():
    import numpy as np

    from gradwise.tabular.space import CURVE_BINS, CURVE_BINS_CLASSES, FINE_BINS

    rng = np.random.default_rng(2)
    year = np.arange(1700.0, 1700.0 + 90)[rng.permutation(90)]  # a series' clock, split at random
    flags = rng.integers(0, 2, size=90).astype(float)  # a 0/1 column has nothing to bend: still one curve
    x = np.column_stack([year, flags])
    assert [len(edges) for edges in _bins(x, 2)["fine_edges"]] == [91]  # 90 rows: 90 bins, not 45 or 64
    assert _bins(x, 2)["columns"] == [0]
    assert [len(edges) for edges in _bins(x[:40, :1], 1)["fine_edges"]] == [41]
    assert "fine_edges" not in _bins(x[:15, :1], 1)  # 15 bins would be no finer choice than 8
    long = np.arange(3000.0)[:, None]
    assert [len(edges) for edges in _bins(long[:1000], 1)["fine_edges"]] == [1001]  # a knot per row past 256
    assert [len(edges) for edges in _bins(long, 1)["fine_edges"]] == [CURVE_BINS + 1]
    assert CURVE_BINS > CURVE_BINS_CLASSES > FINE_BINS
    for task in ("binary", "multiclass"):  # lbfgs's logistic fit on a knot per row is slow: classes keep fewer
        assert [len(edges) for edges in _bins(long[:1000], 1, task)["fine_edges"]] == [CURVE_BINS_CLASSES + 1]
        assert [len(edges) for edges in _bins(x[:40, :1], 1, task)["fine_edges"]] == [41]
    two = np.column_stack([year, rng.normal(size=90)])  # two curves keep the half-the-rows bound
    assert [len(edges) for edges in _bins(two, 2)["fine_edges"]] == [23, 23]


def test_the_builder_bounds_a_one_curve_tables_knots_by_its_task():
    import numpy as np

    from gradwise.tabular import prepare
    from gradwise.tabular.space import CURVE_BINS_CLASSES, default_builder
    from gradwise.tabular.table import Table
    from gradwise.tuning import HyperParameters

    rng = np.random.default_rng(3)
    income = rng.uniform(0, 100, size=600)  # one number of 600 values: 480 training rows, past 256
    knots = {}
    for task, target in (("regression", income + rng.normal(size=600)), ("binary", income > 50)):
        table = Table({"income": np.array([f"{v:.3f}" for v in income], dtype=object),
                       "y": np.array([str(v) for v in target], dtype=object)})
        prepared = prepare(table, "y", seed=0)
        assert prepared.task == task
        spline = default_builder(prepared)(HyperParameters({"layers": 0, "numbers": "piecewise", "fine_bins": True}))
        knots[task] = len(spline.layers[0].bin_edges[0]) - 1
    assert knots == {"regression": 480, "binary": CURVE_BINS_CLASSES}
