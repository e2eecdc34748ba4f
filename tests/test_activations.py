"""Every activation's derivative against SymPy and against finite differences."""

import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nncourse.activations import (
    ACTIVATIONS,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from nncourse.gradcheck import numeric_gradient

z_sym = sp.Symbol("z", real=True)
SYMPY = {
    Sigmoid: 1 / (1 + sp.exp(-z_sym)),
    Tanh: sp.tanh(z_sym),
    ReLU: sp.Max(z_sym, 0),
    LeakyReLU: sp.Piecewise((z_sym, z_sym > 0), (sp.Rational(1, 100) * z_sym, True)),
    Linear: z_sym,
}
ELEMENTWISE = list(SYMPY)

mpmath.mp.dps = 50  # the reference must be more precise than float64

values = st.floats(-30, 30, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
batches = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=values)


@pytest.mark.parametrize("cls", ELEMENTWISE)
@settings(max_examples=30, deadline=None)
@given(z=batches)
def test_value_and_derivative_match_sympy(cls, z):
    act = cls()
    f = sp.lambdify(z_sym, SYMPY[cls], "mpmath")
    df = sp.lambdify(z_sym, sp.diff(SYMPY[cls], z_sym), "mpmath")
    expected = np.vectorize(lambda v: float(f(v)))(z)
    expected_d = np.vectorize(lambda v: float(df(v)))(z)
    np.testing.assert_allclose(act.fn(z), expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(act.derivative(z), expected_d, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("cls", ELEMENTWISE)
@settings(max_examples=30, deadline=None)
@given(z=batches)
def test_derivative_matches_finite_differences(cls, z):
    act = cls()
    z = np.clip(z, -15, 15)  # where the function is not flat to float precision
    numeric = np.vectorize(lambda v: (act.fn(np.array(v + 1e-6)) - act.fn(np.array(v - 1e-6))) / 2e-6)(z)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cls", ELEMENTWISE + [Softmax])
@settings(max_examples=20, deadline=None)
@given(z=batches, seed=st.integers(0, 1000))
def test_backward_is_the_chain_rule(cls, z, seed):
    """backward(z, a, g) = ∂(Σ g ⊙ f(z))/∂z, checked by finite differences."""
    act = cls()
    z = np.clip(z, -10, 10)
    g = np.random.default_rng(seed).normal(size=z.shape)
    numeric = numeric_gradient(lambda zz: float(np.sum(g * act.fn(zz))), z)
    np.testing.assert_allclose(act.backward(z, act.fn(z), g), numeric, rtol=1e-5, atol=1e-7)


def test_softmax_matches_sympy_and_its_jacobian():
    zs = sp.symbols("z0:3", real=True)
    soft = [sp.exp(zi) / sum(sp.exp(zk) for zk in zs) for zi in zs]
    point = {zs[0]: 0.5, zs[1]: -1.2, zs[2]: 2.0}
    z = np.array([[0.5, -1.2, 2.0]])
    np.testing.assert_allclose(Softmax().fn(z)[0], [float(s.subs(point)) for s in soft], rtol=1e-13)
    jac = [[float(sp.diff(soft[i], zs[k]).subs(point)) for k in range(3)] for i in range(3)]
    np.testing.assert_allclose(Softmax().derivative(z)[0], jac, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_no_overflow_at_large_inputs(name):
    act = get_activation(name)
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.fn(z)
        d = act.derivative(z)
        b = act.backward(z, a, np.ones_like(z))
    assert np.isfinite(a).all() and np.isfinite(d).all() and np.isfinite(b).all()


def test_sigmoid_limits_are_exact():
    a = Sigmoid().fn(np.array([-1000.0, 0.0, 1000.0]))
    assert a[0] == 0.0 and a[1] == 0.5 and a[2] == 1.0
    # Far in the tail the value is still correct relatively, not rounded to 0.
    assert Sigmoid().fn(np.array([-40.0]))[0] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-12)


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    assert ReLU().derivative(np.array([0.0]))[0] == 0.0
    assert LeakyReLU(0.2).derivative(np.array([0.0, -3.0]))[1] == 0.2


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="Unknown activation 'sigmod'. Choose one of: .*sigmoid"):
        get_activation("sigmod")
