"""nncourse.autograd: each operation's gradient against SymPy and central differences,
accumulation, topological order, the worked example's ten gradients, and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse import worked_example
from nncourse.autograd import Value, as_value, topological_order, zero_grad
from nncourse.gradcheck import central_difference

X, Y = sp.symbols("x y")

# name -> (engine function of two Values, SymPy expression in x and y, range for x, range for y)
BINARY = {
    "add": (lambda a, b: a + b, X + Y, (-5, 5), (-5, 5)),
    "sub": (lambda a, b: a - b, X - Y, (-5, 5), (-5, 5)),
    "mul": (lambda a, b: a * b, X * Y, (-5, 5), (-5, 5)),
    "div": (lambda a, b: a / b, X / Y, (-5, 5), (0.5, 5)),
}
# name -> (engine function of one Value, SymPy expression in x, range for x)
UNARY = {
    "pow2": (lambda a: a**2, X**2, (-5, 5)),
    "pow3": (lambda a: a**3, X**3, (-3, 3)),
    "pow_half": (lambda a: a**0.5, sp.sqrt(X), (0.1, 9)),
    "pow_neg": (lambda a: a**-2, X**-2, (0.3, 5)),
    "neg": (lambda a: -a, -X, (-5, 5)),
    "exp": (lambda a: a.exp(), sp.exp(X), (-5, 5)),
    "log": (lambda a: a.log(), sp.log(X), (0.05, 20)),
    "tanh": (lambda a: a.tanh(), sp.tanh(X), (-4, 4)),
    "sigmoid": (lambda a: a.sigmoid(), 1 / (1 + sp.exp(-X)), (-8, 8)),
    "relu_pos": (lambda a: a.relu(), X, (0.01, 5)),  # relu is x for x > 0 ...
    "relu_neg": (lambda a: a.relu(), sp.Integer(0) * X, (-5, -0.01)),  # ... and 0 for x < 0
    # a plain number on the left: the reversed operators
    "radd": (lambda a: 3 + a, 3 + X, (-5, 5)),
    "rsub": (lambda a: 3 - a, 3 - X, (-5, 5)),
    "rmul": (lambda a: 3 * a, 3 * X, (-5, 5)),
    "rdiv": (lambda a: 3 / a, 3 / X, (0.5, 5)),
}


def floats(lo, hi):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradient_matches_sympy_and_central_differences(name):
    fn, expr, (lo, hi) = UNARY[name]
    d_expr = sp.lambdify(X, sp.diff(expr, X))
    f_expr = sp.lambdify(X, expr)

    @settings(max_examples=40, deadline=None)
    @given(floats(lo, hi))
    def check(x):
        a = Value(x)
        out = fn(a)
        out.backward()
        assert out.data == pytest.approx(float(f_expr(x)), rel=1e-12, abs=1e-12)
        assert a.grad == pytest.approx(float(d_expr(x)), rel=1e-10, abs=1e-12)
        fd = central_difference(lambda t: fn(Value(t)).data, x, 1e-6)
        assert a.grad == pytest.approx(fd, rel=1e-5, abs=1e-6)

    check()


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradient_matches_sympy_and_central_differences(name):
    fn, expr, (xlo, xhi), (ylo, yhi) = BINARY[name]
    dx = sp.lambdify((X, Y), sp.diff(expr, X))
    dy = sp.lambdify((X, Y), sp.diff(expr, Y))

    @settings(max_examples=40, deadline=None)
    @given(floats(xlo, xhi), floats(ylo, yhi))
    def check(x, y):
        a, b = Value(x), Value(y)
        fn(a, b).backward()
        assert a.grad == pytest.approx(float(dx(x, y)), rel=1e-10, abs=1e-12)
        assert b.grad == pytest.approx(float(dy(x, y)), rel=1e-10, abs=1e-12)
        assert a.grad == pytest.approx(central_difference(lambda t: fn(Value(t), Value(y)).data, x), rel=1e-5, abs=1e-6)
        assert b.grad == pytest.approx(central_difference(lambda t: fn(Value(x), Value(t)).data, y), rel=1e-5, abs=1e-6)

    check()


@settings(max_examples=60, deadline=None)
@given(floats(-2, 2), floats(-2, 2), floats(0.2, 3))
def test_a_composite_expression_matches_sympy(x, y, z):
    expr = sp.tanh(X * Y + X) * sp.exp(-Y) / (Z := sp.Symbol("z")) + sp.log(Z) - X**2
    a, b, c = Value(x), Value(y), Value(z)
    out = (a * b + a).tanh() * (-b).exp() / c + c.log() - a**2
    out.backward()
    at = {X: x, Y: y, Z: z}
    assert out.data == pytest.approx(float(expr.subs(at)), rel=1e-10, abs=1e-12)
    for v, s in ((a, X), (b, Y), (c, Z)):
        assert v.grad == pytest.approx(float(sp.diff(expr, s).subs(at)), rel=1e-9, abs=1e-12)


def test_the_module_docstring_example_by_hand():
    # L = (ab + a)² = a²(b + 1)²: ∂L/∂a = 2a(b + 1)² = 16, ∂L/∂b = 2a²(b + 1) = −16 at a = 2, b = −3
    a, b = Value(2.0), Value(-3.0)
    L = (a * b + a) ** 2
    L.backward()
    assert (L.data, a.grad, b.grad) == (16.0, 16.0, -16.0)


def test_a_node_used_twice_accumulates():
    x = Value(3.0)
    y = x * x  # both parents are x: dy/dx = 2x
    y.backward()
    assert x.grad == 6.0
    x2 = Value(3.0)
    z = x2 + x2 + x2  # three uses
    z.backward()
    assert x2.grad == 3.0
    h = Value(0.7)
    out = h.sigmoid() * h.tanh() + h  # h feeds three operations
    out.backward()
    s, t = 1 / (1 + math.exp(-0.7)), math.tanh(0.7)
    assert h.grad == pytest.approx(s * (1 - s) * t + s * (1 - t * t) + 1, rel=1e-14)


def test_backward_accumulates_until_zero_grad():
    a = Value(2.0)
    out = a * 5.0
    out.backward()
    out.backward()  # a second pass adds again (as torch does without zero_grad)
    assert a.grad == 10.0
    zero_grad(out)
    assert a.grad == 0.0 and out.grad == 0.0
    out.backward()
    assert a.grad == 5.0


def random_graph(seed: int, n: int = 30) -> Value:
    """A random expression in which many nodes are used several times."""
    rng = np.random.default_rng(seed)
    nodes = [Value(float(v), label=f"x{i}") for i, v in enumerate(rng.uniform(0.5, 1.5, size=4))]
    for _ in range(n):
        i, j = rng.integers(0, len(nodes), size=2)
        op = rng.integers(0, 4)
        a, b = nodes[i], nodes[j]
        nodes.append([a + b, a * b, (a * 0.3).tanh(), a - b][op])
    out = nodes[-1]
    for node in nodes[-6:-1]:
        out = out + node
    return out


@pytest.mark.parametrize("seed", range(8))
def test_topological_order_lists_every_node_once_after_its_parents(seed):
    root = random_graph(seed)
    order = topological_order(root)
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids)), "a node is listed twice"
    assert order[-1] is root
    where = {i: k for k, i in enumerate(ids)}
    # every node reachable from the root is there, and each comes after all its parents
    stack, reachable = [root], set()
    while stack:
        n = stack.pop()
        if id(n) not in reachable:
            reachable.add(id(n))
            stack.extend(n.parents)
    assert reachable == set(ids)
    for node in order:
        for p in node.parents:
            assert where[id(p)] < where[id(node)]


def test_topological_order_follows_depth_first_from_the_result():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    assert [n.label for n in topological_order(d)] == ["a", "b", "c", "d"]


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0 and len(topological_order(y)) == 1 + 4 * 5000


@pytest.mark.parametrize("seed", range(4))
def test_random_graph_gradients_match_central_differences(seed):
    root = random_graph(seed)
    leaves = [n for n in topological_order(root) if not n.parents and n.label]
    root.backward()
    for leaf in leaves:
        saved = leaf.data

        def f(t, leaf=leaf):
            leaf.data = t
            return recompute(root)

        fd = central_difference(f, saved, 1e-6)
        leaf.data = saved
        assert leaf.grad == pytest.approx(fd, rel=1e-6, abs=1e-7)


def recompute(root: Value) -> float:
    """The root's value after leaves changed, re-evaluating each node from its parents' data."""
    ops = {"+": lambda a, b: a + b, "−": lambda a, b: a - b, "×": lambda a, b: a * b, "tanh": math.tanh}
    values = {}
    for node in topological_order(root):
        if not node.parents:
            values[id(node)] = node.data
        else:
            values[id(node)] = ops[node.op](*[values[id(p)] for p in node.parents])
    return values[id(root)]


# -- the worked example -------------------------------------------------------


def worked_example_values():
    """E of the worked example built from Values; returns (E, parameters by name)."""
    ex = worked_example()
    names = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")
    p = {name: Value(getattr(ex, name), label=name) for name in names}
    x1, x2 = ex.x
    t1, t2 = ex.t
    H1 = (p["w1"] * x1 + p["w2"] * x2 + p["b1"]).sigmoid()
    H2 = (p["w3"] * x1 + p["w4"] * x2 + p["b1"]).sigmoid()
    Y1 = (p["w5"] * H1 + p["w6"] * H2 + p["b2"]).sigmoid()
    Y2 = (p["w7"] * H1 + p["w8"] * H2 + p["b2"]).sigmoid()
    E = 0.5 * (t1 - Y1) ** 2 + 0.5 * (t2 - Y2) ** 2
    return E, p


def test_worked_example_ten_gradients_equal_network_gradients():
    E, p = worked_example_values()
    E.backward()
    ex = worked_example()
    net = ex.network()
    assert E.data == pytest.approx(net.loss(ex.X, ex.Y, "half_sse"), rel=1e-14)
    dWs, dbs = net.gradients(ex.X, ex.Y, "half_sse")  # notebook 06's convention: half_sse, batch of one
    index = {"w1": (0, 0, 0), "w2": (0, 0, 1), "w3": (0, 1, 0), "w4": (0, 1, 1),
             "w5": (1, 0, 0), "w6": (1, 0, 1), "w7": (1, 1, 0), "w8": (1, 1, 1)}
    for name, (layer, j, k) in index.items():
        assert p[name].grad == pytest.approx(dWs[layer][j, k], rel=1e-12, abs=1e-16), name
    assert p["b1"].grad == pytest.approx(dbs[0].sum(), rel=1e-12)  # shared biases: the sum
    assert p["b2"].grad == pytest.approx(dbs[1].sum(), rel=1e-12)
    # and the course notes' table
    assert f"{p['w5'].grad:.6f}" == "0.072952" and f"{p['b2'].grad:.6f}" == "0.096523"
    assert f"{p['w1'].grad:.7f}" == "0.0047460" and f"{p['b1'].grad:.7f}" == "0.0044961"


# -- errors -------------------------------------------------------------------


def test_log_of_a_non_positive_number_names_the_value():
    with pytest.raises(ValueError, match=r"log needs a positive number; got Value\(data=-2.*label='h'"):
        Value(-2.0, label="h").log()
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()


def test_value_exponent_is_refused_with_the_way_out():
    with pytest.raises(TypeError, match="Value exponent is not supported"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match=r"Value exponent is not supported.*exp\(\)"):
        2 ** Value(3.0)
    with pytest.raises(TypeError, match="plain number"):
        Value(2.0) ** "2"


def test_other_bad_inputs_say_what_was_expected():
    with pytest.raises(TypeError, match=r"real number.*got '3' \(str\)"):
        Value("3")
    with pytest.raises(TypeError, match=r"a Value or a plain number; got \[1.0\] \(list\)"):
        Value(1.0) + [1.0]
    with pytest.raises(TypeError, match="real number"):
        Value(True)
    with pytest.raises(ZeroDivisionError, match="divisor is 0"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="fractional power"):
        Value(-4.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="undefined at 0"):
        Value(0.0) ** -1
    assert as_value(2).data == 2.0 and isinstance(as_value(np.float64(2.5)), Value)
