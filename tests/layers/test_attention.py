"""Attention: its gradients by finite differences (float64), its outputs and gradients against PyTorch's
autograd with the same weights, masks, Keras's call options, dropout, and use in a saved functional model."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Attention

from .gradient_check import numeric_gradient, relative_error

ATTENTION_CASES = {"dot": lambda: Attention(), "dot_scaled": lambda: Attention(use_scale=True),
                   "concat": lambda: Attention(score_mode="concat", use_scale=True, dropout=0.2, seed=1)}
QUERY_MASK = np.array([[1, 1, 0], [1, 0, 1]], dtype=bool)
VALUE_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool)


def _inputs(rng, with_key):
    query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 6))
    return [query, value, rng.normal(size=(2, 5, 4))] if with_key else [query, np.ascontiguousarray(value[..., :4])]


def _built(mode, scale, scores=False, causal=False, inputs=None, **kwargs):
    layer = Attention(use_scale=scale, score_mode=mode, **kwargs)
    layer._call_options = (scores, causal)
    layer.build_for([x.shape[1:] for x in inputs], np.random.default_rng(0), np.float64)
    for key in layer.params:
        layer.params[key][...] = {"scale": 1.3, "concat_score_weight": 0.7}[key]
    return layer


@pytest.mark.parametrize("mode", ["dot", "concat"])
@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("with_key", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_gradients_by_finite_differences(rng, mode, scale, with_key, masked):
    inputs = _inputs(rng, with_key)
    layer = _built(mode, scale, scores=True, causal=masked, inputs=inputs)
    mask = [QUERY_MASK, VALUE_MASK] if masked else None
    upstream = [rng.normal(size=(2, 3, inputs[1].shape[2])), rng.normal(size=(2, 3, 5))]

    def scalar():
        outputs, _ = layer.forward(inputs, training=False, mask=mask)
        return float(sum(np.sum(o * u) for o, u in zip(outputs, upstream)))

    _, cache = layer.forward(inputs, training=False, mask=mask)
    for grad in layer.grads.values():
        grad[...] = np.nan
    grads = layer.backward(upstream, cache)
    assert len(grads) == len(inputs)
    for grad, array in zip(grads, inputs):
        assert relative_error(grad, numeric_gradient(scalar, array)) < 1e-6
    for key, param in layer.params.items():
        assert relative_error(layer.grads[key], numeric_gradient(scalar, param)) < 1e-6


def _torch_attention(query, value, key, mode, scale, weight, mask):
    if mode == "dot":
        scores = query @ key.transpose(1, 2)
        scores = scores * scale if scale is not None else scores
    else:
        inside = query[:, :, None, :] + key[:, None, :, :]
        scores = weight * torch.tanh(inside * scale if scale is not None else inside).sum(-1)
    query_mask, allowed = mask
    scores = torch.where(allowed, scores, scores - 1e9)
    weights = torch.softmax(scores, -1)
    return (weights @ value) * query_mask[:, :, None], weights


@pytest.mark.parametrize("mode", ["dot", "concat"])
def test_against_torch_autograd_with_the_same_weights(rng, mode):
    inputs = _inputs(rng, with_key=True)
    layer = _built(mode, True, scores=True, causal=True, inputs=inputs)
    (outputs, scores), cache = layer.forward(inputs, training=False, mask=[QUERY_MASK, VALUE_MASK])
    upstream = [rng.normal(size=outputs.shape), rng.normal(size=scores.shape)]
    grads = layer.backward(upstream, cache)

    tensors = [torch.tensor(x, requires_grad=True) for x in inputs]
    scale, weight = torch.tensor(1.3, dtype=torch.float64, requires_grad=True), \
        torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    allowed = torch.from_numpy(VALUE_MASK[:, None, :] & np.tril(np.ones((3, 5), dtype=bool))[None])
    expected, expected_scores = _torch_attention(tensors[0], tensors[1], tensors[2], mode, scale, weight,
                                                 (torch.from_numpy(QUERY_MASK).double(), allowed))
    ((expected * torch.from_numpy(upstream[0])).sum() + (expected_scores * torch.from_numpy(upstream[1])).sum()).backward()
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(scores, expected_scores.detach().numpy(), rtol=1e-10, atol=1e-12)
    for grad, tensor in zip(grads, tensors):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.grads["scale"], scale.grad.numpy(), rtol=1e-9)
    if mode == "concat":
        np.testing.assert_allclose(layer.grads["concat_score_weight"], weight.grad.numpy(), rtol=1e-9)


def test_dropout_on_the_weights_in_training_only(rng):
    inputs = _inputs(rng, with_key=False)
    layer = _built("dot", False, inputs=inputs, dropout=0.5, seed=3)
    plain, _ = layer.forward(inputs, training=False)
    dropped, cache = layer.forward(inputs, training=True)
    assert not np.allclose(plain, dropped)
    keep = cache[8]
    assert set(np.unique(keep)) <= {0.0, 2.0}
    np.testing.assert_allclose(dropped, (cache[6] * keep) @ inputs[1])

    def scalar():
        layer._rng = np.random.default_rng(11)  # the same mask at every evaluation
        return float(np.sum(layer.forward(inputs, training=True)[0] * upstream))

    upstream = rng.normal(size=plain.shape)
    scalar()
    layer._rng = np.random.default_rng(11)
    _, cache = layer.forward(inputs, training=True)
    grads = layer.backward(upstream, cache)
    for grad, array in zip(grads, inputs):
        assert relative_error(grad, numeric_gradient(scalar, array)) < 1e-6


def test_a_functional_model_trains_saves_and_returns_the_scores(tmp_path, rng):
    query, value = gw.Input((3, 4)), gw.Input((5, 4))
    attended, scores = Attention(use_scale=True)([query, value], return_attention_scores=True, use_causal_mask=True)
    outputs = gw.layers.Dense(1)(gw.layers.GlobalAveragePooling1D()(attended))
    model = gw.Model([query, value], [outputs, scores])
    model.compile(optimizer="adam", loss=["mse", None])
    x = [rng.normal(size=(16, 3, 4)).astype("float32"), rng.normal(size=(16, 5, 4)).astype("float32")]
    y = rng.normal(size=(16, 1)).astype("float32")
    before = model.get_layer(index=2).params["scale"].copy()
    model.fit(x, [y, np.zeros((16, 3, 5), "float32")], epochs=2, verbose=0)
    assert model.get_layer(index=2).params["scale"] != before  # the scale is trained
    predicted, weights = model.predict(x, verbose=0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.all(np.triu(weights[0], k=1) == 0)  # causal: no weight on later steps
    model.save(tmp_path / "attention.gw")
    loaded = gw.load_model(tmp_path / "attention.gw")
    for a, b in zip(loaded.predict(x, verbose=0), (predicted, weights)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_bad_arguments_and_calls(rng):
    with pytest.raises(ValueError, match="`score_mode` must be one of"):
        Attention(score_mode="additive")
    with pytest.raises(TypeError, match="`use_scale` must be a bool"):
        Attention(use_scale="yes")
    layer = Attention()
    with pytest.raises(ValueError, match=r"expected \[query, value\] or \[query, value, key\]"):
        layer([rng.normal(size=(2, 3, 4))])
    with pytest.raises(ValueError, match="as many features"):
        Attention()([rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 3))])
    layer([rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))])
    with pytest.raises(ValueError, match="one layer object per way of calling it"):
        layer([rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))], use_causal_mask=True)


@pytest.mark.parametrize("case", sorted(ATTENTION_CASES))
def test_layer_contract_float32_first_layer_and_config(case, rng):
    layer = ATTENTION_CASES[case]()
    layer.build_for([(3, 4), (5, 4)], np.random.default_rng(0), np.float32)
    inputs = [rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 4)).astype("float32")]
    outputs, cache = layer.forward(inputs, training=True)
    assert outputs.dtype == np.float32 and outputs.shape == (2, *layer.output_shape) == (2, 3, 4)
    for grad in layer.grads.values():
        grad[...] = np.nan
    assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None
    assert all(np.isfinite(grad).all() for grad in layer.grads.values())  # the params' gradients are written
    rebuilt = gw.layers.deserialize(gw.layers.serialize(layer))
    assert rebuilt.get_config() == layer.get_config()
