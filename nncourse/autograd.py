"""A scalar automatic-differentiation engine: every number remembers how it was made.

A :class:`Value` holds one number (``data``), the gradient of the final result with
respect to it (``grad``, filled in by :meth:`Value.backward`), the values it was computed
from (``parents``), the operation that made it (``op``) and a name for pictures (``label``).
Each operation computes its result and, right beside it, its **local gradients**
∂out/∂parent. The backward pass visits the nodes in reverse topological order and adds, for
each parent, local gradient × upstream gradient (``out.grad``) to the parent's ``grad``::

    parent.grad += local × out.grad

``+=``, not ``=``: a node used twice receives one contribution per use, and they add up
(the multivariable chain rule). The idea and the shape of the code follow Karpathy's
*micrograd*; the code here is the course's own.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> f = (a * b + a) ** 2
    >>> f.backward()
    >>> a.grad, b.grad
    (16.0, -16.0)
"""

from __future__ import annotations

import math
from numbers import Real


class Value:
    """One number in a computation, with its gradient and the values it was made from."""

    def __init__(self, data: float, parents: tuple[Value, ...] = (), op: str = "", label: str = ""):
        if type(data) is not float and (isinstance(data, bool) or not isinstance(data, Real)):
            raise TypeError(
                f"Value needs a real number, e.g. Value(2.0); got {data!r} ({type(data).__name__})."
            )
        self.data = float(data)
        self.grad = 0.0  # ∂(result)/∂(this value), filled in by backward()
        self.parents = tuple(parents)
        self.op = op
        self.label = label
        self.local: tuple[float, ...] = ()  # ∂self/∂parent, one per parent
        self._backward = lambda: None  # a leaf passes nothing on

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    def _result(self, data: float, parents: tuple[Value, ...], op: str, local: tuple[float, ...]) -> Value:
        """The output node of an operation, with its local gradients and its backward step."""
        out = Value(data, parents, op)
        out.local = local  # floats, computed from the parents' data

        def _backward():  # chain rule: each parent gets local gradient × upstream gradient
            for parent, d in zip(out.parents, out.local):
                parent.grad += d * out.grad

        out._backward = _backward
        return out

    # -- operations: forward value, then local gradients (∂out/∂self, ∂out/∂other) --

    def __add__(self, other) -> Value:
        other = as_value(other)
        return self._result(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __sub__(self, other) -> Value:
        other = as_value(other)
        return self._result(self.data - other.data, (self, other), "−", (1.0, -1.0))

    def __mul__(self, other) -> Value:
        other = as_value(other)
        return self._result(self.data * other.data, (self, other), "×", (other.data, self.data))

    def __truediv__(self, other) -> Value:
        other = as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by {other!r}: the divisor is 0.")
        q = self.data / other.data
        return self._result(q, (self, other), "÷", (1.0 / other.data, -q / other.data))

    def __pow__(self, n) -> Value:
        if isinstance(n, Value):
            raise TypeError("x ** y with a Value exponent is not supported; use a plain number "
                            "(x ** 2) or write a**y as (y * a.log()).exp().")
        if isinstance(n, bool) or not isinstance(n, Real):
            raise TypeError(f"the exponent must be a plain number, e.g. x ** 2; got {n!r}.")
        try:
            out = self.data ** n
            local = n * self.data ** (n - 1) if n != 0 else 0.0
        except ZeroDivisionError:
            raise ZeroDivisionError(f"{self!r} ** {n} is undefined at 0 (a negative power, or a slope "
                                    "that is infinite there).") from None
        if isinstance(out, complex) or isinstance(local, complex):
            raise ValueError(f"{self!r} ** {n}: a negative number to a fractional power is not real.")
        return self._result(out, (self,), f"**{n:g}", (local,))

    def __neg__(self) -> Value:
        return self._result(-self.data, (self,), "neg", (-1.0,))

    def exp(self) -> Value:
        e = math.exp(self.data)  # d/dx eˣ = eˣ
        return self._result(e, (self,), "exp", (e,))

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive number; got {self!r}.")
        return self._result(math.log(self.data), (self,), "log", (1.0 / self.data,))  # d/dx ln x = 1/x

    def tanh(self) -> Value:
        t = math.tanh(self.data)  # d/dx tanh x = 1 − tanh² x
        return self._result(t, (self,), "tanh", (1.0 - t * t,))

    def sigmoid(self) -> Value:
        x = self.data  # σ(x) = 1/(1 + e^(−x)), written so that e^(...) never overflows
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._result(s, (self,), "σ", (s * (1.0 - s),))  # σ′ = σ(1 − σ)

    def relu(self) -> Value:
        return self._result(max(self.data, 0.0), (self,), "relu", (1.0 if self.data > 0 else 0.0,))

    # -- a plain number on the left: 2 * x, 1 - x, 1 / x ---------------------------

    def __radd__(self, other) -> Value:
        return as_value(other) + self

    def __rsub__(self, other) -> Value:
        return as_value(other) - self

    def __rmul__(self, other) -> Value:
        return as_value(other) * self

    def __rtruediv__(self, other) -> Value:
        return as_value(other) / self

    def __rpow__(self, other):
        raise TypeError(f"{other!r} ** x with a Value exponent is not supported; "
                        f"write it as (x * math.log({other!r})).exp().")

    # -- the backward pass ---------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` of every node this value depends on: ∂self/∂node.

        Seeds ``self.grad = 1`` and runs each node's backward step in reverse topological
        order, so a node passes its gradient on only after every use of it has reported.
        Intermediate nodes start from 0; leaves keep what they hold, so (as in PyTorch) a second
        call adds to their gradients: call :func:`zero_grad` first to start afresh.
        """
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def as_value(x) -> Value:
    """``x`` itself if it is a :class:`Value`, else a new leaf holding the number ``x``."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"a Value combines with a Value or a plain number; got {x!r} ({type(x).__name__}).")
    return Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, parents before children; ``root`` is last.

    Depth-first from ``root``: a node is listed after all its parents (visited in the order
    of ``node.parents``). Iterative, so deep graphs do not hit Python's recursion limit.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(as_value(root), False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def zero_grad(root: Value) -> None:
    """Set ``grad = 0`` on ``root`` and every node it depends on."""
    for node in topological_order(root):
        node.grad = 0.0
