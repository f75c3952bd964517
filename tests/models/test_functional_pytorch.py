"""Graphs against PyTorch: a residual MLP and a small residual convnet, identical weights, 5 Adam steps.

PyTorch runs the same graph written as a module; after every step the losses and then
every weight must agree (float64).
"""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Add, Conv2D, Dense, GlobalAveragePooling2D

ADAM = dict(learning_rate=0.01, epsilon=1e-7)


def _copy_dense(linear, layer):
    linear.weight.copy_(torch.from_numpy(layer.params["kernel"].T.copy()))
    linear.bias.copy_(torch.from_numpy(layer.params["bias"].copy()))


def _copy_conv(conv, layer):  # ours (kh, kw, in, out), theirs (out, in, kh, kw)
    conv.weight.copy_(torch.from_numpy(layer.params["kernel"].transpose(3, 2, 0, 1).copy()))
    conv.bias.copy_(torch.from_numpy(layer.params["bias"].copy()))


def _train_both(model, net, forward, x, y, torch_loss, pairs):
    model.compile(optimizer=gw.optimizers.Adam(**ADAM), loss="sparse_categorical_crossentropy")
    optimizer = torch.optim.Adam(net.parameters(), lr=ADAM["learning_rate"], eps=ADAM["epsilon"])
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    worst = 0.0
    for step in range(5):
        batch = slice(step * 8, step * 8 + 8)
        loss = model.train_on_batch(x[batch], y[batch])
        # Keras adds epsilon to sqrt(v), PyTorch to sqrt(v / (1 - beta_2^t)): the same update with this eps
        optimizer.param_groups[0]["eps"] = ADAM["epsilon"] / np.sqrt(1 - 0.999 ** (step + 1))
        optimizer.zero_grad()
        theirs = torch_loss(forward(x_t[batch]), y_t[batch])
        theirs.backward()
        optimizer.step()
        assert loss == pytest.approx(theirs.item(), rel=1e-10)
        for ours, their in pairs():
            worst = max(worst, float(np.max(np.abs(ours - their.detach().numpy()))))
    assert worst < 1e-12, worst  # measured: 1.1e-16 (MLP), 9.7e-17 (convnet)
    return worst


def test_residual_mlp_trains_as_pytorch(float64, rng):
    inputs = gw.Input((6,))
    hidden = Dense(6, activation="relu", name="h1", bias_initializer="random_normal")(inputs)
    hidden = Add(name="skip1")([inputs, Dense(6, name="h2", bias_initializer="random_normal")(hidden)])
    block = Dense(6, activation="tanh", name="h3", bias_initializer="random_normal")
    hidden = Add(name="skip2")([hidden, block(hidden)])
    model = gw.Model(inputs, Dense(3, activation="softmax", name="out")(hidden), seed=3)
    linears = {name: torch.nn.Linear(6, 3 if name == "out" else 6).double() for name in ("h1", "h2", "h3", "out")}
    with torch.no_grad():
        for name, linear in linears.items():
            _copy_dense(linear, model.get_layer(name))
    net = torch.nn.ModuleDict(linears)

    def forward(x):
        hidden = x + net["h2"](torch.relu(net["h1"](x)))
        hidden = hidden + torch.tanh(net["h3"](hidden))
        return net["out"](hidden)

    def pairs():
        for name, linear in linears.items():
            layer = model.get_layer(name)
            yield layer.params["kernel"], linear.weight.T
            yield layer.params["bias"], linear.bias

    x = rng.normal(size=(40, 6))
    y = rng.integers(0, 3, size=40)
    _train_both(model, net, forward, x, y, torch.nn.functional.cross_entropy, pairs)


def test_residual_convnet_trains_as_pytorch(float64, rng):
    inputs = gw.Input((6, 6, 2))
    stem = Conv2D(4, 3, padding="same", activation="relu", name="stem", bias_initializer="random_normal")(inputs)
    branch = Conv2D(4, 3, padding="same", name="branch", bias_initializer="random_normal")(stem)
    merged = Add(name="skip")([stem, branch])
    outputs = Dense(3, activation="softmax", name="out")(GlobalAveragePooling2D(name="pool")(merged))
    model = gw.Model(inputs, outputs, seed=4)
    convs = {"stem": torch.nn.Conv2d(2, 4, 3, padding=1).double(), "branch": torch.nn.Conv2d(4, 4, 3, padding=1).double()}
    out = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        for name, conv in convs.items():
            _copy_conv(conv, model.get_layer(name))
        _copy_dense(out, model.get_layer("out"))
    net = torch.nn.ModuleDict({**convs, "out": out})

    def forward(x):
        stem = torch.relu(net["stem"](x.permute(0, 3, 1, 2)))
        return net["out"]((stem + net["branch"](stem)).mean(dim=(2, 3)))

    def pairs():
        for name, conv in convs.items():
            layer = model.get_layer(name)
            yield layer.params["kernel"], conv.weight.permute(2, 3, 1, 0)
            yield layer.params["bias"], conv.bias
        yield model.get_layer("out").params["kernel"], out.weight.T
        yield model.get_layer("out").params["bias"], out.bias

    x = rng.normal(size=(40, 6, 6, 2))
    y = rng.integers(0, 3, size=40)
    _train_both(model, net, forward, x, y, torch.nn.functional.cross_entropy, pairs)
