"""Several inputs and outputs: fit/evaluate/predict with lists and dicts, losses, loss weights and metrics
per output, Keras's log names, validation, sample weights, saving; finite differences and PyTorch."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Concatenate, Dense, Dropout

from .test_model_gradients import finite_difference_check


def _ticket_model(seed=0, outputs_as="list"):
    """Keras's guide's ticket model, small: title and body in, a priority score and a department out
    (the same `seed`, the same initial weights and dropout masks)."""
    with gw.backend.seeded(seed):
        return _ticket_graph(seed, outputs_as)


def _ticket_graph(seed, outputs_as):
    title = gw.Input((6,), name="title")
    body = gw.Input((8,), name="body")
    features = Concatenate(name="features")([Dense(5, activation="relu", name="title_code")(title),
                                             Dropout(0.2, name="drop")(Dense(5, activation="tanh", name="body_code")(body))])
    priority = Dense(1, activation="sigmoid", name="priority")(features)
    department = Dense(3, activation="softmax", name="department")(features)
    outputs = {"priority": priority, "department": department} if outputs_as == "dict" else [priority, department]
    return gw.Model(inputs=[title, body], outputs=outputs, seed=seed)


def _data(rng, samples=96):
    title, body = rng.normal(size=(samples, 6)), rng.normal(size=(samples, 8))
    priority = (title[:, 0] + body[:, 0] > 0).astype(float)
    department = (np.argmax(body[:, :3], axis=1)).astype(int)
    return title, body, priority, department


def _compile(model, **kwargs):
    settings = dict(optimizer=gw.optimizers.Adam(0.01), loss={"priority": "binary_crossentropy",
                    "department": "sparse_categorical_crossentropy"}, loss_weights={"priority": 1.0, "department": 0.2},
                    metrics={"priority": ["accuracy"], "department": ["accuracy"]})
    settings.update(kwargs)
    model.compile(**settings)
    return model


def test_lists_and_dicts_train_alike_with_keras_log_names(rng):
    title, body, priority, department = _data(rng)
    by_list = _compile(_ticket_model(0))
    by_dict = _compile(_ticket_model(0), loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
                       loss_weights=[1.0, 0.2], metrics=[["accuracy"], "accuracy"])
    history = by_list.fit([title, body], [priority, department], epochs=3, batch_size=16, verbose=0).history
    same = by_dict.fit({"title": title, "body": body}, {"priority": priority, "department": department},
                       epochs=3, batch_size=16, verbose=0).history
    assert history == same
    assert list(history) == ["loss", "priority_loss", "department_loss", "priority_accuracy", "department_accuracy",
                             "learning_rate"]
    for mine, theirs in zip(by_list.get_weights(), by_dict.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    assert by_list.metrics_names == list(history)[:-1]


def test_the_loss_is_the_weighted_sum_of_each_output_loss(float64, rng):
    title, body, priority, department = _data(rng, 40)
    model = _compile(_ticket_model(1, outputs_as="dict"))
    model.fit([title, body], {"priority": priority, "department": department}, epochs=1, verbose=0)
    logs = model.evaluate({"body": body, "title": title}, [priority, department], return_dict=True, verbose=0)
    predicted = model.predict([title, body], verbose=0)
    assert isinstance(predicted, dict) and predicted["priority"].shape == (40, 1) and predicted["department"].shape == (40, 3)
    p = np.clip(predicted["priority"][:, 0], 1e-7, 1 - 1e-7)
    bce = -np.mean(priority * np.log(p) + (1 - priority) * np.log(1 - p))
    cce = -np.mean(np.log(predicted["department"][np.arange(40), department]))
    assert logs["priority_loss"] == pytest.approx(bce, rel=1e-6)
    assert logs["department_loss"] == pytest.approx(cce, rel=1e-6)
    assert logs["loss"] == pytest.approx(bce + 0.2 * cce, rel=1e-9)
    assert logs["department_accuracy"] == pytest.approx(np.mean(predicted["department"].argmax(1) == department))
    assert model.evaluate([title, body], [priority, department], verbose=0) == pytest.approx(list(logs.values()))


def test_predict_gives_a_list_for_list_outputs_and_one_array_for_a_list_of_one(rng):
    title, body, _, _ = _data(rng, 10)
    model = _ticket_model(0)
    first, second = model.predict([title, body], verbose=0)
    assert first.shape == (10, 1) and second.shape == (10, 3)
    single = gw.Model(model.inputs, [model.outputs[1]])  # Keras unpacks a list of one
    assert single.predict([title, body], verbose=0).shape == (10, 3)
    np.testing.assert_array_equal(single([title, body]), second)


def test_one_loss_for_every_output_and_an_output_without_loss(rng):
    inputs = gw.Input((4,), name="x")
    hidden = Dense(6, activation="tanh", name="hidden")(inputs)
    a, b = Dense(2, name="a")(hidden), Dense(2, name="b")(hidden)
    model = gw.Model(inputs, [a, b], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 2))
    history = model.fit(x, [y, y * 2], epochs=2, verbose=0).history
    assert sorted(history) == ["a_loss", "b_loss", "learning_rate", "loss"]
    np.testing.assert_allclose(history["loss"], np.add(history["a_loss"], history["b_loss"]), rtol=1e-6)
    only_a = gw.Model(inputs, [a, b], seed=0)
    only_a.compile(optimizer="sgd", loss={"a": "mse"})
    before = only_a.get_layer("b").get_weights()
    history = only_a.fit(x, {"a": y}, epochs=2, verbose=0).history
    assert "b_loss" not in history and history["loss"] == history["a_loss"]
    for old, new in zip(before, only_a.get_layer("b").get_weights()):
        np.testing.assert_array_equal(old, new)  # no loss reaches b: it does not move


def test_validation_split_and_sample_weight_cut_every_array_alike(rng):
    title, body, priority, department = _data(rng, 100)
    split = _compile(_ticket_model(2))
    split_logs = split.fit([title, body], [priority, department], validation_split=0.25, epochs=2, batch_size=25,
                           shuffle=False, verbose=0).history
    given = _compile(_ticket_model(2))
    given_logs = given.fit([title[:75], body[:75]], [priority[:75], department[:75]], epochs=2, batch_size=25,
                           shuffle=False, validation_data=([title[75:], body[75:]], [priority[75:], department[75:]]),
                           verbose=0).history
    assert split_logs == given_logs and "val_department_accuracy" in split_logs
    weights = rng.uniform(0.5, 2.0, size=100)
    once = _compile(_ticket_model(3))
    per_output = _compile(_ticket_model(3))
    once.fit([title, body], [priority, department], sample_weight=weights, epochs=1, verbose=0)
    per_output.fit([title, body], [priority, department], sample_weight={"priority": weights, "department": weights},
                   epochs=1, verbose=0)
    for mine, theirs in zip(once.get_weights(), per_output.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    logs = once.evaluate([title, body], [priority, department], sample_weight=[None, weights], return_dict=True,
                         verbose=0)
    plain = once.evaluate([title, body], [priority, department], return_dict=True, verbose=0)
    assert logs["priority_loss"] == pytest.approx(plain["priority_loss"])
    assert logs["department_loss"] != pytest.approx(plain["department_loss"])


@pytest.mark.parametrize("outputs_as", ["list", "dict"])
def test_save_and_load_give_identical_predictions_and_resume_exactly(tmp_path, rng, outputs_as):
    title, body, priority, department = _data(rng, 64)
    y = [priority, department]
    model = _compile(_ticket_model(4, outputs_as))
    model.fit({"title": title, "body": body}, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "ticket.gw")
    loaded = gw.models.load_model(tmp_path / "ticket.gw")
    assert loaded.get_config() == model.get_config() and loaded.output_names == ["priority", "department"]
    mine, theirs = loaded.predict([title, body], verbose=0), model.predict([title, body], verbose=0)
    assert type(mine) is type(theirs)
    for name in (["priority", "department"] if outputs_as == "dict" else [0, 1]):
        np.testing.assert_array_equal(mine[name], theirs[name])
    resumed = loaded.fit([title, body], y, epochs=2, batch_size=16, verbose=0).history
    continued = model.fit([title, body], y, epochs=2, batch_size=16, verbose=0).history
    assert resumed == continued
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_several_outputs_with_loss_weights_match_finite_differences(float64, rng):
    a, b = gw.Input((3,), name="a"), gw.Input((4,), name="b")
    shared = Dense(5, activation="tanh", name="shared", bias_initializer="random_normal")
    left, right = shared(Dense(5, name="from_a")(a)), shared(Dense(5, name="from_b")(b))
    joined = Concatenate(name="joined")([left, right])
    first = Dense(3, activation="softmax", name="first")(joined)  # fused with its loss
    second = Dense(2, activation="sigmoid", name="second")(first)  # reads `first`: not fused
    third = Dense(2, name="third")(right)
    model = gw.Model([a, b], [first, second, third], seed=0)
    model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "binary_crossentropy", "huber"],
                  loss_weights=[0.7, 1.3, 0.4])
    assert model._fused_output() == (model._outputs[1].fused,) == (model._graph.nodes.index(
        next(node for node in model._graph.nodes if node.layer.name == "second")),)
    x = [rng.normal(size=(6, 3)), rng.normal(size=(6, 4))]
    y = [rng.integers(0, 3, size=6), rng.integers(0, 2, size=(6, 2)).astype(float), rng.normal(size=(6, 2))]
    finite_difference_check(model, x, y, sample_weight=rng.uniform(0.5, 2, size=6))


def test_two_inputs_two_outputs_train_as_pytorch(float64, rng):
    a, b = gw.Input((4,), name="a"), gw.Input((3,), name="b")
    hidden = Dense(5, activation="relu", name="ha", bias_initializer="random_normal")(a)
    joined = Concatenate(name="cat")([hidden, Dense(5, activation="tanh", name="hb")(b)])
    classes = Dense(3, activation="softmax", name="classes")(joined)
    value = Dense(1, name="value")(joined)
    model = gw.Model([a, b], [classes, value], seed=5)
    model.compile(optimizer=gw.optimizers.Adam(0.01, epsilon=1e-7),
                  loss={"classes": "sparse_categorical_crossentropy", "value": "mse"},
                  loss_weights={"classes": 1.0, "value": 0.5})
    shapes = {"ha": (4, 5), "hb": (3, 5), "classes": (10, 3), "value": (10, 1)}
    linears = {name: torch.nn.Linear(*shape).double() for name, shape in shapes.items()}
    with torch.no_grad():
        for name, linear in linears.items():
            linear.weight.copy_(torch.from_numpy(model.get_layer(name).params["kernel"].T.copy()))
            linear.bias.copy_(torch.from_numpy(model.get_layer(name).params["bias"].copy()))
    optimizer = torch.optim.Adam([p for linear in linears.values() for p in linear.parameters()], lr=0.01)
    xa, xb = rng.normal(size=(40, 4)), rng.normal(size=(40, 3))
    labels, targets = rng.integers(0, 3, size=40), rng.normal(size=(40, 1))
    worst = 0.0
    for step in range(5):
        batch = slice(step * 8, step * 8 + 8)
        logs = model.train_on_batch({"a": xa[batch], "b": xb[batch]}, [labels[batch], targets[batch]],
                                    return_dict=True)
        optimizer.param_groups[0]["eps"] = 1e-7 / np.sqrt(1 - 0.999 ** (step + 1))  # Keras's epsilon, per step
        optimizer.zero_grad()
        joined_t = torch.cat([torch.relu(linears["ha"](torch.from_numpy(xa[batch]))),
                              torch.tanh(linears["hb"](torch.from_numpy(xb[batch])))], dim=1)
        cross = torch.nn.functional.cross_entropy(linears["classes"](joined_t), torch.from_numpy(labels[batch]))
        squared = torch.nn.functional.mse_loss(linears["value"](joined_t), torch.from_numpy(targets[batch]))
        (cross + 0.5 * squared).backward()
        optimizer.step()
        assert logs["classes_loss"] == pytest.approx(cross.item(), rel=1e-10)
        assert logs["value_loss"] == pytest.approx(squared.item(), rel=1e-10)
        assert logs["loss"] == pytest.approx(cross.item() + 0.5 * squared.item(), rel=1e-10)
        for name, linear in linears.items():
            layer = model.get_layer(name)
            worst = max(worst, float(np.abs(layer.params["kernel"] - linear.weight.detach().numpy().T).max()),
                        float(np.abs(layer.params["bias"] - linear.bias.detach().numpy()).max()))
    assert worst < 1e-12, worst


def test_bad_multi_input_arrays_are_named(rng):
    title, body, priority, department = _data(rng, 20)
    model = _compile(_ticket_model(0))
    y = [priority, department]
    cases = [
        ({"x": title}, r"`x` must be a list of 2 arrays \(one per input: 'title', 'body'\) or a dict keyed by input "
                       r"name; the model has 2 inputs, got ndarray of shape \(20, 6\)"),
        ({"x": [title, body, body]}, r"`x` must hold 2 arrays, one per input \('title', 'body'\), got a list of 3"),
        ({"x": {"title": title, "bodies": body}}, r"`x` is a dict whose keys must be the model's input names "
                                                  r"\('title', 'body'\), got keys 'title', 'bodies'; unknown: "
                                                  r"'bodies'; missing: 'body'"),
        ({"x": [body, title]}, r"`x\['title'\]` has per-sample shape \(8,\) but the model expects \(6,\)"),
        ({"x": [title, body[:10]]}, r"`x`: every array must have the same number of samples, got 20 for 'title', "
                                    r"10 for 'body'"),
        ({"y": priority}, r"`y` must be a list of 2 arrays \(one per output: 'priority', 'department'\)"),
        ({"y": {"priority": priority}}, r"`y` is a dict .* missing: 'department'"),
        ({"y": [priority, department[:5]]}, r"`x` and `y\['department'\]` must have the same number of samples, "
                                            r"got 20 and 5"),
        ({"class_weight": {0: 1.0, 1: 2.0}}, r"`class_weight` is supported only for a model with one output"),
        ({"sample_weight": [np.ones(20)]}, r"`sample_weight` must hold 2 arrays, one per output"),
    ]
    for change, pattern in cases:
        arguments = {"x": [title, body], "y": y, "verbose": 0, **change}
        with pytest.raises(ValueError, match=pattern):
            model.fit(**arguments)
    with pytest.raises(ValueError, match=r"`x` must hold 2 arrays"):
        model.predict([title])
    with pytest.raises(ValueError, match=r"`validation_data\[0\]` must hold 2 arrays"):
        model.fit([title, body], y, validation_data=([title], y), verbose=0)


def test_bad_compile_arguments_for_several_outputs_are_named():
    model = _ticket_model(0)
    with pytest.raises(ValueError, match=r"`loss` as a list must have one entry per output \(2: 'priority', "
                                         r"'department'\), got 3"):
        model.compile(loss=["mse"] * 3)
    with pytest.raises(ValueError, match=r"`loss` has keys 'prio' that are not output names; the outputs are "
                                         r"'priority', 'department'"):
        model.compile(loss={"prio": "mse"})
    with pytest.raises(ValueError, match=r"`loss_weights` of output 'department' must be a non-negative number, "
                                         r"got -1"):
        model.compile(loss="mse", loss_weights=[1, -1])
    with pytest.raises(ValueError, match=r"`metrics` as a list must have one entry per output"):
        model.compile(loss="mse", metrics=["mae"])
    with pytest.raises(ValueError, match=r"`loss` gives no output a loss"):
        model.compile(loss={"priority": None})


def test_bad_graphs_of_several_inputs_are_named(rng):
    a, b = gw.Input((3,), name="a"), gw.Input((3,), name="b")
    hidden = Dense(2, name="hidden")(a)
    with pytest.raises(ValueError, match=r"`outputs` do not depend on input\(s\) \['b'\]; every tensor in `inputs` "
                                         r"must lead to an output"):
        gw.Model([a, b], hidden)
    with pytest.raises(ValueError, match=r"`inputs` must be tensors of gradwise.Input\(...\), got .*made by layer "
                                         r"'hidden'"):
        gw.Model([hidden, b], Dense(1)(hidden))
    with pytest.raises(TypeError, match=r"Model: `inputs\[1\]` must be a symbolic tensor .* got array"):
        gw.Model([a, np.zeros((2, 3))], hidden)
    with pytest.raises(TypeError, match=r"Model: `outputs\['y'\]` must be a symbolic tensor .*got 3 of type int"):
        gw.Model(a, {"x": hidden, "y": 3})
    with pytest.raises(ValueError, match=r"two inputs are named \['a'\]"):
        gw.Model([a, a], hidden)
    with pytest.raises(ValueError, match=r"`outputs` gives the same tensor \['hidden'\] more than once"):
        gw.Model(a, [hidden, hidden])


def test_outputs_of_one_layer_are_numbered_as_keras_numbers_their_metrics(rng):
    """Keras's seq2seq encoder: Model(inputs, [sequence, state_h, state_c]) of one LSTM(return_state=True)
    names every output after the layer; the repeats become lstm_1, lstm_2, and each output trains on
    its own target with its own loss."""
    inputs = gw.Input((5, 3))
    sequence, state_h, state_c = gw.layers.LSTM(4, return_sequences=True, return_state=True, name="lstm")(inputs)
    encoder = gw.Model(inputs, [sequence, state_h, state_c], seed=0)
    assert encoder.output_names == ["lstm", "lstm_1", "lstm_2"]
    x = rng.standard_normal((16, 5, 3)).astype(np.float32)
    predicted = encoder.predict(x, verbose=0)
    assert [p.shape for p in predicted] == [(16, 5, 4), (16, 4), (16, 4)]
    np.testing.assert_array_equal(predicted[0][:, -1], predicted[1])  # the last output is the hidden state
    states_only = gw.Model(inputs, [state_h, state_c], seed=0)
    assert states_only.output_names == ["lstm", "lstm_1"]
    # a loss on the cell state alone moves only through it: the sequence output gets no loss
    encoder.compile(optimizer=gw.optimizers.SGD(0.1), loss={"lstm": None, "lstm_1": None, "lstm_2": "mse"})
    target = np.full((16, 4), 0.5, dtype=np.float32)
    before = encoder.evaluate(x, {"lstm_2": target}, verbose=0)[0]
    history = encoder.fit(x, {"lstm_2": target}, epochs=5, verbose=0)
    assert sorted(key for key in history.history if key.endswith("_loss")) == ["lstm_2_loss"]
    assert encoder.evaluate(x, {"lstm_2": target}, verbose=0)[0] < 0.9 * before
    encoder.compile(optimizer="adam", loss=["mse", "mse", "mse"])  # every output its own loss, logged apart
    logs = encoder.fit(x, [np.zeros((16, 5, 4), np.float32), target, target], epochs=1, verbose=0).history
    assert {"lstm_loss", "lstm_1_loss", "lstm_2_loss"} <= set(logs)
    assert logs["lstm_1_loss"][0] != logs["lstm_loss"][0]
    restored = gw.Model.from_config(encoder.get_config())
    assert restored.output_names == ["lstm", "lstm_1", "lstm_2"]
