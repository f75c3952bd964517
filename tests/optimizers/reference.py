"""Shared helpers: run a gradwise optimizer and a torch.optim reference on the same
weights and the same sequence of gradients, several tensors packed in one ParameterSet."""

import numpy as np
import torch

from gradwise.parameters import ParameterSet

SHAPES = {"dense/kernel": (3, 4), "dense/bias": (4,), "conv/kernel": (2, 3, 2), "norm/gamma": (1,)}
STEPS = 10
RTOL, ATOL = 1e-10, 1e-12


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Magnitudes in [low, high), random signs: keeps epsilon negligible where it must be."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def make_problem(rng, shapes=SHAPES, steps=STEPS, grad_scale=1.0):
    """Initial weights and `steps` dicts of gradients, all float64."""
    weights = {name: away_from_zero(rng, shape) for name, shape in shapes.items()}
    grads = [{name: grad_scale * away_from_zero(rng, shape) for name, shape in shapes.items()}
             for _ in range(steps)]
    return weights, grads


def gradwise_trajectory(optimizer, weights, grads, dtype=np.float64):
    """Flat parameter values after each step, shape (steps, total_size)."""
    parameter_set = ParameterSet(weights, dtype)
    trajectory = []
    for step_grads in grads:
        for name, grad in step_grads.items():
            parameter_set.grad_views[name][...] = grad
        optimizer.step(parameter_set)
        trajectory.append(parameter_set.values.copy())
    return np.array(trajectory)


def torch_trajectory(make_optimizer, weights, grads, make_scheduler=None):
    """The same with ``make_optimizer(params)`` from torch.optim, in float64.

    torch keeps scalar state (NAdam's mu_product, step counts) in the default dtype, so
    that is float64 here too.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        params = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights.values()]
        optimizer = make_optimizer(params)
        scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
        trajectory = []
        for step_grads in grads:
            for param, grad in zip(params, step_grads.values()):
                param.grad = torch.tensor(grad, dtype=torch.float64)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            trajectory.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    finally:
        torch.set_default_dtype(previous)
    return np.array(trajectory)


def assert_same_trajectory(ours, theirs, rtol=RTOL, atol=ATOL):
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays.values()])


def single_tensor_trajectory(optimizer, initial, grads):
    """Trajectory of one tensor: for hand-worked steps. Returns shape (steps, *initial.shape)."""
    initial = np.asarray(initial, dtype=np.float64)
    trajectory = gradwise_trajectory(optimizer, {"w": initial}, [{"w": np.asarray(g, dtype=np.float64)} for g in grads])
    return trajectory.reshape((len(grads),) + initial.shape)
