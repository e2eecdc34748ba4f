"""Section 07, computational graphs and automatic differentiation.

q1: one node's backward step (local × upstream, accumulated with +=);
q2: a skip connection y = x + tanh(w·x + b) under C = ½(y − t)², by the learner's own chain rule;
q3: the depth-first topological order the engine uses;
q4: written: which worked-example gradients an `=` engine gets wrong, and why.
"""

from __future__ import annotations

import math

from ..spec import Bank, Mistake

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    3,
    "The backward step of a × node",
    cases=(
        {"a": 2.0, "b": -3.0, "grad_a": -8.0, "grad_b": 0.5, "upstream": -8.0},
        {"a": 0.4, "b": 1.5, "grad_a": 0.25, "grad_b": -1.0, "upstream": 2.0},
    ),
    mistakes=(
        Mistake(
            "`=` instead of `+=` (gradient overwritten when a node is used twice)",
            "an input may already hold a contribution from another use: add to grad_a and grad_b",
            lambda a, b, grad_a, grad_b, upstream: mul_backward(a, b, grad_a, grad_b, upstream, accumulate=False),
        ),
        Mistake(
            "missing upstream factor",
            "each input gets local gradient × upstream gradient, not the local gradient alone",
            lambda a, b, grad_a, grad_b, upstream: mul_backward(a, b, grad_a, grad_b, upstream, with_upstream=False),
        ),
        Mistake(
            "local gradients swapped",
            "out = a·b changes with a at the rate of the *other* factor: ∂out/∂a is not a",
            lambda a, b, grad_a, grad_b, upstream: mul_backward(a, b, grad_a, grad_b, upstream, swap=True),
        ),
    ),
    hints=(
        "The local gradients of out = a·b are ∂out/∂a = b and ∂out/∂b = a.",
        "Each input receives local × upstream.",
        "grad_a and grad_b may already hold contributions from other uses: add to them.",
    ),
)
def mul_backward(a, b, grad_a, grad_b, upstream, accumulate=True, with_upstream=True, swap=False):
    """out = a·b received ``upstream`` = ∂C/∂out: the inputs' gradients after its backward step.

    Local gradients ∂out/∂a = b, ∂out/∂b = a; each input gets local × upstream, added (``+=``)
    to what it already holds. The flags plant the named mistakes.
    """
    up = upstream if with_upstream else 1.0
    la, lb = (a, b) if swap else (b, a)
    if not accumulate:
        grad_a = grad_b = 0.0
    return (grad_a + la * up, grad_b + lb * up)


@QUESTIONS.ask(
    "q2",
    4,
    "Backprop through a skip connection",
    cases=(
        {"x": 0.5, "w": 1.2, "b": -0.3, "t": 1.5},
        {"x": -1.1, "w": 0.7, "b": 0.4, "t": 0.2},
    ),
    mistakes=(
        Mistake(
            "skip path dropped",
            "x reaches y twice, directly and inside tanh: add the contribution of the direct path",
            lambda x, w, b, t: skip_block_grads(x, w, b, t, skip=False),
        ),
        Mistake(
            "path through tanh dropped for x",
            "x also feeds u = w·x + b: add what u sends back to x",
            lambda x, w, b, t: skip_block_grads(x, w, b, t, inner=False),
        ),
        Mistake(
            "tanh′ without the square",
            "the derivative of tanh u is 1 − tanh²(u), the square of tanh",
            lambda x, w, b, t: skip_block_grads(x, w, b, t, square=False),
        ),
        Mistake(
            "missing upstream factor (y − t)",
            "every gradient starts from ∂C/∂y: multiply by it on the way back",
            lambda x, w, b, t: skip_block_grads(x, w, b, t, with_upstream=False),
        ),
    ),
    hints=(
        "Forward first: u = w·x + b, h = tanh(u), y = x + h, C = ½(y − t)².",
        "Backward from ∂C/∂y = y − t. The + node sends it unchanged to x and to h.",
        "tanh's local gradient is 1 − h²; then u = w·x + b sends ∂C/∂u·x to w, ∂C/∂u to b and ∂C/∂u·w to x.",
        "x is used twice: its gradient is the sum of what both uses send back.",
    ),
)
def skip_block_grads(x, w, b, t, skip=True, inner=True, square=True, with_upstream=True):
    """(∂C/∂x, ∂C/∂w, ∂C/∂b) for y = x + tanh(w·x + b), C = ½(y − t)².

    Backward: ∂C/∂y = y − t; the + node passes it to both inputs; tanh's local gradient is
    1 − tanh²(u) with u = w·x + b; u = w·x + b gives ∂u/∂w = x, ∂u/∂b = 1, ∂u/∂x = w. x is used twice
    (skip path and inside tanh): ∂C/∂x = (y − t) + (y − t)(1 − h²)·w. The flags plant the mistakes.
    """
    h = math.tanh(w * x + b)
    g = (x + h - t) if with_upstream else 1.0
    du = g * (1 - h * h if square else 1 - h)
    dx = (g if skip else 0.0) + (du * w if inner else 0.0)
    return (dx, du * x, du)


# The question's text shows the lecture's graph of f = (a·b + a)²; the public cases are others:
# a skip connection (q2's graph) and a graph with a node used three times and one left out.
SHARED_GRAPH = {"p": [], "q": [], "r": ["q", "p"], "s": ["r", "p"], "n": ["s"], "out": ["s", "r", "p"]}
SKIP_GRAPH = {"x": [], "w": [], "b": [], "m": ["w", "x"], "u": ["m", "b"], "h": ["u"], "y": ["x", "h"],
              "t": [], "e": ["y", "t"], "C": ["e"]}


def _reversed_order(parents, root):
    return topo_order(parents, root)[::-1]


@QUESTIONS.ask(
    "q3",
    3,
    "A topological order, depth-first",
    cases=(
        {"parents": SKIP_GRAPH, "root": "C"},
        {"parents": SHARED_GRAPH, "root": "out"},
    ),
    mistakes=(
        Mistake(
            "node listed before its parents",
            "list a node only after all its parents have been listed",
            lambda parents, root: topo_order(parents, root, post=False),
        ),
        Mistake(
            "a node used twice is listed twice",
            "skip a node that is already in the list",
            lambda parents, root: topo_order(parents, root, seen_check=False),
        ),
        Mistake(
            "backward order returned (result first)",
            "return the topological order itself; the backward pass is what walks it from the end",
            _reversed_order,
        ),
    ),
    hints=(
        "Write a helper visit(node): first visit each parent, then append the node.",
        "Before visiting a node, check whether it is already in the list.",
        "The result is visited first, so it is appended last.",
    ),
)
def topo_order(parents, root, post=True, seen_check=True):
    """The nodes ``root`` depends on, depth-first: a node is listed after its parents (taken in the
    order given), each node once; ``root`` comes last.

    ``parents`` maps every node name to the list of its parents' names (a leaf maps to []).
    ``post=False`` lists a node before its parents and ``seen_check=False`` lists a shared node
    once per use: the named mistakes.
    """
    order: list[str] = []

    def visit(node):
        if seen_check and node in order:
            return
        if not post:
            order.append(node)
        for p in parents[node]:
            visit(p)
        if post:
            order.append(node)

    visit(root)
    return order


QUESTIONS.written("q4", 2, "Which gradients an `=` engine gets wrong")
