"""gradwise.utils.plot_model: boxes per layer placed by graph depth, Keras' options, a written picture."""

from types import SimpleNamespace

import pytest

import gradwise as gw
from gradwise.layers import Dense, Dropout
from gradwise.models.graph import Graph, Node
from gradwise.utils import plot_model


def _texts(figure):
    """{box text: (x, y)} of every layer box (the arrows are annotations without text)."""
    return {text.get_text(): text.get_position() for text in figure.axes[0].texts if text.get_text()}


def _arrows(figure):
    return [text for text in figure.axes[0].texts if not text.get_text()]


def _model():
    return gw.Sequential([gw.Input((8,)), Dense(12, activation="relu", name="hidden"), Dropout(0.2, name="drop"),
                          Dense(1, activation="sigmoid", name="out")])


def test_writes_the_picture_with_keras_options(tmp_path):
    figure = plot_model(_model(), to_file=tmp_path / "model.png", show_shapes=True, show_layer_names=True,
                        show_layer_activations=True, show_trainable=True, dpi=50)
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = _texts(figure)
    assert "hidden (Dense)\nactivation: relu\nin: (None, 8)   out: (None, 12)\ntrainable: True" in texts
    assert "out (Dense)\nactivation: sigmoid\nin: (None, 12)   out: (None, 1)\ntrainable: True" in texts
    ys = [texts[key][1] for key in sorted(texts, key=lambda key: -texts[key][1])]
    assert len(ys) == 4 and len(set(ys)) == 4  # top to bottom, one rank a layer
    plot_model(_model(), to_file=tmp_path / "model.svg", dpi=50)
    assert b"<svg" in (tmp_path / "model.svg").read_bytes()[:500]


def test_defaults_show_class_names_left_to_right_and_unbuilt_shapes():
    figure = plot_model(gw.Sequential([Dense(3), Dense(1)]), to_file=None, rankdir="LR", show_shapes=True, dpi=50)
    boxes = [(text.get_text(), text.get_position()) for text in figure.axes[0].texts if text.get_text()]
    assert [text for text, _ in boxes] == ["InputLayer\nout: ?", "Dense\nin: ?   out: ?", "Dense\nin: ?   out: ?"]
    xs = [position[0] for _, position in boxes]
    assert xs == sorted(xs) and len(set(xs)) == 3 and len(_arrows(figure)) == 2


def test_a_branching_graph_puts_parallel_layers_side_by_side():
    left, right, merged = Dense(2, name="left"), Dense(2, name="right"), Dense(1, name="merged")
    graph = Graph([0], [3], [Node(left, (0,), 1), Node(right, (0,), 2), Node(merged, (1, 2), 3)], 4)
    figure = plot_model(SimpleNamespace(_graph=graph, input_shape=(4,)), to_file=None, show_layer_names=True, dpi=50)
    texts = _texts(figure)
    assert texts["left (Dense)"][1] == texts["right (Dense)"][1] > texts["merged (Dense)"][1]
    assert texts["left (Dense)"][0] != texts["right (Dense)"][0]
    assert len(texts) == 4 and len(_arrows(figure)) == 4  # input -> left, input -> right, both -> merged


def test_a_functional_model_with_a_merge():
    inputs = gw.Input((8,))
    merged = gw.layers.Add(name="sum")([Dense(4, name="a")(inputs), Dense(4, name="b")(inputs)])
    model = gw.Model(inputs, Dense(1, name="out")(merged))
    texts = _texts(plot_model(model, to_file=None, show_shapes=True, show_layer_names=True, dpi=50))
    assert "sum (Add)\nin: [(None, 4), (None, 4)]   out: (None, 4)" in texts
    assert texts["a (Dense)\nin: (None, 8)   out: (None, 4)"][1] > texts["sum (Add)\nin: [(None, 4), (None, 4)]   "
                                                                         "out: (None, 4)"][1]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": 3}, TypeError, r"`model` must be a gradwise model, got 3 of type int"),
    ({"rankdir": "BT"}, ValueError, r"`rankdir` must be one of \['TB', 'LR'\], got 'BT'"),
    ({"dpi": 0}, ValueError, r"`dpi` must be a positive int, got 0"),
])
def test_bad_arguments(kwargs, error, message):
    arguments = {"model": _model(), "to_file": None, **kwargs}
    with pytest.raises(error, match=message):
        plot_model(**arguments)
