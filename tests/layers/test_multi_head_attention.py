"""MultiHeadAttention: gradients by finite differences (float64), outputs and gradients against the same
formula under PyTorch's autograd, Keras's masks and call options, and a saved functional model."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import MultiHeadAttention

from .gradient_check import numeric_gradient, relative_error

VALUE_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool)
KEY_MASK = np.array([[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
MHA_CASES = {"plain": lambda: MultiHeadAttention(2, 3),
             "no_bias": lambda: MultiHeadAttention(1, 2, value_dim=3, use_bias=False, output_shape=5),
             "dropout": lambda: MultiHeadAttention(2, 2, dropout=0.3, seed=4, kernel_regularizer="l2")}


def _inputs(rng, with_key):
    query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 6))
    return [query, value, rng.normal(size=(2, 5, 7))] if with_key else [query, np.ascontiguousarray(value[..., :4])]


def _built(inputs, scores, causal, **kwargs):
    layer = MultiHeadAttention(2, 3, value_dim=4, **kwargs)
    layer._call_options = (scores, causal)
    layer.build_for([x.shape[1:] for x in inputs], np.random.default_rng(0), np.float64)
    for key in layer.params:  # biases away from zero, so their gradients show
        layer.params[key] += np.random.default_rng(1).normal(size=layer.params[key].shape) * 0.3
    return layer


@pytest.mark.parametrize("with_key", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("use_bias", [False, True])
def test_gradients_by_finite_differences(rng, with_key, masked, use_bias):
    inputs = _inputs(rng, with_key)
    layer = _built(inputs, scores=True, causal=masked, use_bias=use_bias)
    mask = [None, VALUE_MASK, KEY_MASK][:len(inputs)] if masked else None
    if masked and not with_key:
        mask = mask + [None, rng.random((2, 3, 5)) > 0.3]  # an attention_mask beside the value mask
    upstream = [rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 2, 3, 5))]

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
    for key, param in layer.params.items():  # the key's bias has zero gradient (softmax is shift-invariant)
        np.testing.assert_allclose(layer.grads[key], numeric_gradient(scalar, param), rtol=1e-6, atol=1e-8,
                                   err_msg=key)


def test_against_the_formula_under_torch_autograd(rng):
    inputs = _inputs(rng, with_key=True)
    layer = _built(inputs, scores=True, causal=True)
    (outputs, scores), cache = layer.forward(inputs, training=False, mask=[None, VALUE_MASK, KEY_MASK])
    upstream = [rng.normal(size=outputs.shape), rng.normal(size=scores.shape)]
    grads = layer.backward(upstream, cache)

    t = {key: torch.tensor(value, requires_grad=True) for key, value in layer.params.items()}
    query, value, key = (torch.tensor(x, requires_grad=True) for x in inputs)
    q = torch.einsum("btd,dhk->bthk", query, t["query/kernel"]) + t["query/bias"]
    k = torch.einsum("btd,dhk->bthk", key, t["key/kernel"]) + t["key/bias"]
    v = torch.einsum("btd,dhk->bthk", value, t["value/kernel"]) + t["value/bias"]
    logits = torch.einsum("bqhk,bvhk->bhqv", q, k) / np.sqrt(3)
    allowed = torch.from_numpy((VALUE_MASK & KEY_MASK)[:, None, :] & np.tril(np.ones((3, 5), dtype=bool))[None])
    weights = torch.softmax(logits.masked_fill(~allowed[:, None], -1e9), -1)
    heads = torch.einsum("bhqv,bvhd->bqhd", weights, v)
    expected = torch.einsum("bqhd,hde->bqe", heads, t["attention_output/kernel"]) + t["attention_output/bias"]
    ((expected * torch.from_numpy(upstream[0])).sum() + (weights * torch.from_numpy(upstream[1])).sum()).backward()
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(scores, weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    for grad, tensor in zip(grads, (query, value, key)):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, tensor in t.items():
        np.testing.assert_allclose(layer.grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_keras_weight_layout_masks_and_options(rng):
    query, value = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 6)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=(8,))
    outputs, weights = layer(query, value, value_mask=VALUE_MASK, return_attention_scores=True)
    assert outputs.shape == (2, 3, 8) and weights.shape == (2, 2, 3, 5)
    assert [w.shape for w in layer.get_weights()] == [(4, 2, 3), (2, 3), (6, 2, 3), (2, 3), (6, 2, 5), (2, 5),
                                                      (2, 5, 8), (8,)]
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)
    assert np.all(weights[0, :, :, 3:] == 0) and np.all(weights[1, :, :, 1] == 0)  # masked value steps
    fully_masked = layer(query, value, attention_mask=np.zeros((2, 3, 5), dtype=bool), return_attention_scores=True)
    assert np.all(fully_masked[1] == 0)  # Keras 3's Softmax: no weight at all where a whole row is masked
    with pytest.raises(ValueError, match="one layer object per way of calling it"):
        layer(query, value)
    with pytest.raises(ValueError, match=r"`attention_mask` must have shape \(batch, Tq, Tv\)"):
        layer(query, value, attention_mask=np.ones((2, 5, 3), bool), return_attention_scores=True)


def test_a_functional_model_with_masks_trains_and_saves(tmp_path, rng):
    tokens, memory = gw.Input((6,), dtype="int32"), gw.Input((4, 3))
    embedded = gw.layers.Embedding(20, 8, mask_zero=True)(tokens)
    attended = MultiHeadAttention(2, 4, dropout=0.1, seed=0)(embedded, embedded, use_causal_mask=True)
    mixed = MultiHeadAttention(1, 4)(attended, memory)
    outputs = gw.layers.Dense(1)(gw.layers.GlobalAveragePooling1D()(mixed))
    model = gw.Model([tokens, memory], outputs)
    model.compile(optimizer="adam", loss="mse")
    x = [rng.integers(0, 20, size=(32, 6)), rng.normal(size=(32, 4, 3)).astype("float32")]
    x[0][:, 4:] = 0  # padding
    history = model.fit(x, rng.normal(size=(32, 1)).astype("float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "mha.gw")
    np.testing.assert_allclose(gw.load_model(tmp_path / "mha.gw").predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("case", sorted(MHA_CASES))
def test_layer_contract_float32_first_layer_and_config(case, rng):
    layer = MHA_CASES[case]()
    layer.build_for([(3, 4), (5, 4)], np.random.default_rng(0), np.float32)
    inputs = [rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 4)).astype("float32")]
    outputs, cache = layer.forward(inputs, training=True)
    assert outputs.dtype == np.float32 and outputs.shape == (2, *layer.output_shape)
    for grad in layer.grads.values():
        grad[...] = np.nan
    assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None
    assert all(np.isfinite(grad).all() for grad in layer.grads.values())
    rebuilt = gw.layers.deserialize(gw.layers.serialize(layer))
    assert rebuilt.get_config() == layer.get_config()


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="attention_axes=None"):
        MultiHeadAttention(2, 4, attention_axes=(1, 2))
    with pytest.raises(ValueError, match="`output_shape` must be an int or a tuple of one int"):
        MultiHeadAttention(2, 4, output_shape=(3, 4))
    query = gw.Input((3, 4))
    with pytest.raises(ValueError, match="`attention_mask` is taken on arrays only"):
        MultiHeadAttention(2, 4)(query, query, attention_mask=np.ones((1, 3, 3), bool))
