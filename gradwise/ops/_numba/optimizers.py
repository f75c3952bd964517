"""Fused optimizer steps: each optimizer's whole update as one loop over the parameters.

NumPy runs an Adam step as a dozen passes over four model-sized arrays (blocked to stay
in cache); here each element is read once, updated through the same operations in the
same order, and written once. The scalars come in already rounded to the arrays' dtype,
as NumPy rounds a Python float against a float32 array, and every intermediate is of
that dtype too, so the results are bit-identical to the optimizer's NumPy ``_step``
(no fastmath: no reassociation, no fused multiply-add).

`decay` is ``1 - lr * weight_decay`` (decoupled weight decay, applied to the value
before the update) or exactly 1, which the loops skip.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def maximum(a, b):
    """np.maximum of two scalars: NaN wins, and a tie (+0 and -0) gives the second argument."""
    return a if (a > b or a != a) else b


@_jit
def adam(values, grads, m, v, v_hat, amsgrad, one_minus_beta_1, one_minus_beta_2, epsilon, alpha, decay):
    # m += (1 - b1)(g - m);  v += (1 - b2)(g^2 - v);  w -= alpha m / (sqrt(v or max(v_hat, v)) + eps)
    for i in range(values.size):
        g = grads[i]
        m_i = m[i] + (g - m[i]) * one_minus_beta_1
        v_i = v[i] + (g * g - v[i]) * one_minus_beta_2
        m[i] = m_i
        v[i] = v_i
        if amsgrad:
            v_i = maximum(v_hat[i], v_i)
            v_hat[i] = v_i
        update = m_i / (np.sqrt(v_i) + epsilon) * alpha
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - update


@_jit
def sgd(values, grads, velocity, learning_rate, momentum, nesterov, decay):
    # v = momentum v - lr g;  w += v  (nesterov: w -= lr g - momentum v);  no momentum: w -= lr g
    for i in range(values.size):
        step = grads[i] * learning_rate
        w = values[i] * decay if decay != 1 else values[i]
        if velocity.size == 0:
            values[i] = w - step
            continue
        v_i = velocity[i] * momentum - step
        velocity[i] = v_i
        values[i] = w - (step - momentum * v_i) if nesterov else w - (-v_i)


@_jit
def rmsprop(values, grads, velocity, average, buffer, rho, one_minus_rho, epsilon, learning_rate, momentum, decay):
    # v = rho v + (1 - rho) g^2;  centered: a = rho a + (1 - rho) g;  increment = lr g / sqrt(v [- a^2] + eps)
    for i in range(values.size):
        g = grads[i]
        v_i = velocity[i] * rho + one_minus_rho * (g * g)
        velocity[i] = v_i
        if average.size:
            a_i = average[i] * rho + one_minus_rho * g
            average[i] = a_i
            v_i = v_i - a_i * a_i
        increment = g / np.sqrt(v_i + epsilon) * learning_rate
        if buffer.size:
            increment = buffer[i] * momentum + increment
            buffer[i] = increment
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - increment


@_jit
def adagrad(values, grads, accumulator, epsilon, learning_rate, decay):
    # accumulator += g^2;  w -= lr g / sqrt(accumulator + eps)
    for i in range(values.size):
        g = grads[i]
        a_i = accumulator[i] + g * g
        accumulator[i] = a_i
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - g / np.sqrt(a_i + epsilon) * learning_rate


@_jit
def adadelta(values, grads, accumulated_grad, accumulated_delta, rho, one_minus_rho, epsilon, learning_rate, decay):
    # E[g^2] = rho E[g^2] + (1 - rho) g^2;  delta = sqrt(E[dx^2] + eps) g / sqrt(E[g^2] + eps);
    # E[dx^2] = rho E[dx^2] + (1 - rho) delta^2;  w -= lr delta
    for i in range(values.size):
        g = grads[i]
        ag = accumulated_grad[i] * rho + one_minus_rho * (g * g)
        accumulated_grad[i] = ag
        delta = np.sqrt(accumulated_delta[i] + epsilon) * g / np.sqrt(ag + epsilon)
        accumulated_delta[i] = accumulated_delta[i] * rho + one_minus_rho * (delta * delta)
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - delta * learning_rate


@_jit
def adamax(values, grads, m, u, one_minus_beta_1, beta_2, epsilon, scale, decay):
    # m += (1 - b1)(g - m);  u = max(b2 u, |g|);  w -= lr / (1 - b1^t) m / (u + eps)
    for i in range(values.size):
        g = grads[i]
        m_i = m[i] + one_minus_beta_1 * (g - m[i])
        m[i] = m_i
        u_i = maximum(u[i] * beta_2, np.abs(g))
        u[i] = u_i
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - m_i / (u_i + epsilon) * scale


@_jit
def nadam(values, grads, m, v, one_minus_beta_1, one_minus_beta_2, momentum_scale, gradient_scale,
          velocity_scale, epsilon, learning_rate, decay):
    # m, v as Adam;  m_hat = s_m m + s_g g;  w -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps)
    for i in range(values.size):
        g = grads[i]
        m_i = m[i] + one_minus_beta_1 * (g - m[i])
        v_i = v[i] + one_minus_beta_2 * (g * g - v[i])
        m[i] = m_i
        v[i] = v_i
        m_hat = m_i * momentum_scale + gradient_scale * g
        m_hat = m_hat / (np.sqrt(v_i * velocity_scale) + epsilon) * learning_rate
        w = values[i] * decay if decay != 1 else values[i]
        values[i] = w - m_hat
