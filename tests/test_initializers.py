"""Initializers: Keras' exact formulas, fans, seeds, dtypes and configs."""

import json
import math

import numpy as np
import pytest
import torch

from gradwise import backend, initializers
from gradwise.initializers import compute_fans

# Standard deviation of a unit normal truncated to [-2, 2], from its closed form
# var = 1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2)).
_PHI_2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
TRUNCATED_STD = math.sqrt(1 - 4 * _PHI_2 / math.erf(2 / math.sqrt(2)))

SHAPE = (40, 5000)  # 200 000 samples: an empirical std within 1% is a > 6 sigma event otherwise
FAN_IN, FAN_OUT = SHAPE


def test_truncated_std_constant_matches_closed_form():
    assert initializers._TRUNCATED_STD == pytest.approx(TRUNCATED_STD, rel=1e-14)


@pytest.mark.parametrize("initializer, limit", [
    ("he_uniform", math.sqrt(6 / FAN_IN)),  # not sqrt(2 / fan_in), a common tutorial error
    ("glorot_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("lecun_uniform", math.sqrt(3 / FAN_IN)),
    (initializers.VarianceScaling(0.5, "fan_out", "uniform"), math.sqrt(1.5 / FAN_OUT)),
    (initializers.RandomUniform(-0.3, 0.3), 0.3),
])
def test_uniform_limits(rng, initializer, limit):
    weights = initializers.get(initializer)(SHAPE, "float64", rng)
    assert np.all(np.abs(weights) <= limit)
    assert np.abs(weights).max() > 0.999 * limit
    assert weights.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)
    assert abs(weights.mean()) < 0.01 * limit


@pytest.mark.parametrize("initializer, stddev", [
    ("he_normal", math.sqrt(2 / FAN_IN)),
    ("glorot_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("lecun_normal", math.sqrt(1 / FAN_IN)),
    (initializers.VarianceScaling(3.0, "fan_avg", "truncated_normal"), math.sqrt(3 / ((FAN_IN + FAN_OUT) / 2))),
])
def test_truncated_normal_variants_keep_the_variance(rng, initializer, stddev):
    weights = initializers.get(initializer)(SHAPE, "float64", rng)
    assert weights.std() == pytest.approx(stddev, rel=0.01)
    # truncated at two standard deviations of the untruncated (widened) normal
    bound = 2 * stddev / TRUNCATED_STD
    assert np.all(np.abs(weights) <= bound)
    assert np.abs(weights).max() > 0.99 * bound


def test_untruncated_normal_variance_scaling(rng):
    weights = initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal")(SHAPE, "float64", rng)
    assert weights.std() == pytest.approx(math.sqrt(2 / FAN_IN), rel=0.01)
    assert np.abs(weights).max() > 3 * math.sqrt(2 / FAN_IN)  # tails are not cut


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((4, 9), (4, 9)),
    ((3, 3, 16, 32), (3 * 3 * 16, 3 * 3 * 32)),
    ((5, 8, 2), (5 * 8, 5 * 2)),
    ((2, 3, 3, 4, 8), (18 * 4, 18 * 8)),
])
def test_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_conv_fans_match_torch():
    # torch stores a conv kernel as (out, in, kh, kw); Keras as (kh, kw, in, out)
    torch_kernel = torch.empty(32, 16, 3, 5)
    assert compute_fans((3, 5, 16, 32)) == torch.nn.init._calculate_fan_in_and_fan_out(torch_kernel)


def test_he_uniform_on_a_conv_kernel(rng):
    weights = initializers.get("he_uniform")((3, 3, 64, 128), "float64", rng)
    limit = math.sqrt(6 / (3 * 3 * 64))
    assert np.all(np.abs(weights) <= limit) and np.abs(weights).max() > 0.999 * limit


def test_random_normal_and_uniform_arguments(rng):
    normal = initializers.RandomNormal(mean=1.5, stddev=0.5)(SHAPE, "float64", rng)
    assert normal.mean() == pytest.approx(1.5, abs=0.005) and normal.std() == pytest.approx(0.5, rel=0.01)
    uniform = initializers.RandomUniform(minval=-0.2, maxval=0.6)(SHAPE, "float64", rng)
    assert uniform.min() >= -0.2 and uniform.max() < 0.6
    assert uniform.min() < -0.199 and uniform.max() > 0.599
    assert uniform.mean() == pytest.approx(0.2, abs=0.005)


def test_keras_defaults(rng):
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert initializers.TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None}
    assert initializers.Orthogonal().get_config() == {"gain": 1.0, "seed": None}


def test_truncated_normal_is_plainly_truncated(rng):
    weights = initializers.TruncatedNormal(mean=0.5, stddev=0.1)(SHAPE, "float64", rng)
    assert weights.min() >= 0.3 and weights.max() <= 0.7
    assert weights.min() < 0.301 and weights.max() > 0.699
    # unlike VarianceScaling, TruncatedNormal does not widen: its std shrinks by the truncation
    assert weights.std() == pytest.approx(0.1 * TRUNCATED_STD, rel=0.01)
    assert weights.mean() == pytest.approx(0.5, abs=0.001)


def test_constants():
    np.testing.assert_array_equal(initializers.Constant(0.7)((2, 3), "float64"), np.full((2, 3), 0.7))
    np.testing.assert_array_equal(initializers.get("zeros")((4,), "float64"), np.zeros(4))
    np.testing.assert_array_equal(initializers.get("ones")((2, 2), "float64"), np.ones((2, 2)))


@pytest.mark.parametrize("shape", [(20, 5), (5, 20), (8, 8), (3, 3, 4, 8), (2, 3, 30)])
def test_orthogonal(rng, shape):
    weights = initializers.Orthogonal(gain=2.0)(shape, "float64", rng)
    assert weights.shape == shape
    matrix = weights.reshape(-1, shape[-1])
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(matrix.shape)), atol=1e-12)


def test_orthogonal_needs_rank_two():
    with pytest.raises(ValueError, match=r"Orthogonal: needs a shape of rank >= 2, got \(5,\)"):
        initializers.Orthogonal()((5,))


RANDOM_NAMES = sorted(set(initializers._REGISTRY) - {"zeros", "ones", "constant", "zero", "one", "identity"})


@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_seed_gives_the_same_tensor_every_call(name):
    cls = initializers._REGISTRY[name]
    seeded = cls(seed=3)
    first = seeded((6, 4), "float64", np.random.default_rng(1))
    np.testing.assert_array_equal(first, seeded((6, 4), "float64", np.random.default_rng(2)))
    np.testing.assert_array_equal(first, cls(seed=3)((6, 4), "float64"))
    assert not np.array_equal(first, cls(seed=4)((6, 4), "float64"))
    unseeded = cls()
    assert not np.array_equal(unseeded((6, 4), "float64", np.random.default_rng(1)),
                              unseeded((6, 4), "float64", np.random.default_rng(2)))
    np.testing.assert_array_equal(unseeded((6, 4), "float64", np.random.default_rng(1)),
                                  unseeded((6, 4), "float64", np.random.default_rng(1)))


@pytest.mark.parametrize("initializer", [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(0.25),
    initializers.RandomNormal(0.1, 0.2, seed=5), initializers.RandomUniform(-1.0, 2.0, seed=6),
    initializers.TruncatedNormal(0.0, 0.3, seed=7),
    initializers.VarianceScaling(0.5, "fan_avg", "uniform", seed=8),
    initializers.GlorotUniform(seed=1), initializers.GlorotNormal(seed=2), initializers.HeUniform(seed=3),
    initializers.HeNormal(seed=4), initializers.LecunUniform(seed=5), initializers.LecunNormal(seed=6),
    initializers.Orthogonal(gain=0.5, seed=9),
], ids=lambda init: type(init).__name__)
def test_serialize_round_trip(initializer):
    config = json.loads(json.dumps(initializers.serialize(initializer)))
    rebuilt = initializers.deserialize(config)
    assert type(rebuilt) is type(initializer)
    assert rebuilt.get_config() == initializer.get_config()
    assert type(initializers.get(config)) is type(initializer)
    np.testing.assert_array_equal(rebuilt((5, 3), "float64"), initializer((5, 3), "float64"))


def test_names_and_class_names_resolve():
    for name, cls in initializers._REGISTRY.items():
        assert type(initializers.get(name)) is cls
        assert type(initializers.get(cls.__name__)) is cls
    assert type(initializers.get("He_Uniform")) is initializers.HeUniform
    he = initializers.HeUniform(seed=0)
    assert initializers.get(he) is he


def test_unknown_names_list_the_valid_names():
    with pytest.raises(ValueError, match=r"Unknown initializer 'he_unifrom'. Valid names: .*glorot_uniform.*he_uniform"):
        initializers.get("he_unifrom")
    with pytest.raises(ValueError, match=r"Unknown initializer 'Xavier'. Valid names: .*GlorotUniform.*HeNormal"):
        initializers.deserialize({"class_name": "Xavier", "config": {}})
    with pytest.raises(TypeError, match=r"initializer must be a name such as 'glorot_uniform'.*got 3"):
        initializers.get(3)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_normal", "orthogonal", "zeros", "random_normal"])
def test_dtype_is_honoured(name):
    initializer = initializers.get(name)
    assert initializer((3, 4), "float32").dtype == np.float32
    assert initializer((3, 4), np.float64).dtype == np.float64
    previous = backend.floatx()
    try:
        backend.set_floatx("float64")
        assert initializer((3, 4)).dtype == np.float64
        backend.set_floatx("float32")
        assert initializer((3, 4)).dtype == np.float32
    finally:
        backend.set_floatx(previous)
    with pytest.raises(ValueError, match=r"`dtype` must be one of \('float32', 'float64'\), got 'int32'"):
        initializer((3, 4), "int32")


@pytest.mark.parametrize("build, pattern", [
    (lambda: initializers.VarianceScaling(mode="fan_max"), r"VarianceScaling: `mode` must be one of .*fan_avg.*'fan_max'"),
    (lambda: initializers.VarianceScaling(distribution="gamma"), r"`distribution` must be one of .*'gamma'"),
    (lambda: initializers.VarianceScaling(scale=0.0), r"`scale` must be a positive finite number, got 0.0"),
    (lambda: initializers.HeNormal(seed=-1), r"HeNormal: `seed` must be a non-negative int or None, got -1"),
    (lambda: initializers.TruncatedNormal(stddev=-0.1), r"TruncatedNormal: `stddev` must be a non-negative"),
    (lambda: initializers.RandomUniform(1.0, 0.0), r"`maxval` must be >= `minval`, got minval=1.0, maxval=0.0"),
])
def test_bad_arguments(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build()


@pytest.mark.parametrize("alias, cls", [("normal", initializers.RandomNormal), ("uniform", initializers.RandomUniform),
                                        ("one", initializers.Ones), ("zero", initializers.Zeros)])
def test_keras_short_aliases(alias, cls):
    initializer = initializers.get(alias)
    assert type(initializer) is cls
    assert initializers.get(initializers.serialize(initializer)).get_config() == initializer.get_config()
