"""The question bank of section 07 (nncourse/grading/questions/s07.py): references against SymPy,
finite differences and the autograd engine; every named mistake is detected on the public and the
hidden cases; the exercise notebook's hidden cases exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse.autograd import Value, topological_order
from nncourse.gradcheck import central_difference
from nncourse.grading import judge, wire
from nncourse.grading.questions import s07
from nncourse.grading.spec import bank

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source" / "07_autograd.ipynb"
BANK = bank("07")


def hidden_cases(qid: str) -> list[dict]:
    """The cases of ``grader.hidden_tests(qid, [...])`` in the source notebook."""
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        m = re.search(rf'hidden_tests\("{qid}", (.*)\)\s*$', cell.source, re.S)
        if m:
            return ast.literal_eval(m.group(1))
    raise AssertionError(f"no hidden tests for {qid}")


def outcomes(fn, cases):
    def answer(**kwargs):  # a learner's function, defined outside nncourse
        return fn(**kwargs)

    return [wire.run_case(answer, "function", c) for c in cases]


small = st.floats(min_value=-2, max_value=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(small, small, small, small, small)
def test_mul_backward_matches_sympy_and_the_engine(a, b, ga, gb, up):
    A, B = sp.symbols("A B")
    new_a, new_b = s07.mul_backward(a, b, ga, gb, up)
    assert new_a == pytest.approx(ga + float(sp.diff(A * B, A).subs({A: a, B: b})) * up, abs=1e-12)
    assert new_b == pytest.approx(gb + float(sp.diff(A * B, B).subs({A: a, B: b})) * up, abs=1e-12)
    # the engine: give a and b earlier contributions through another use, then the × node's
    va, vb = Value(a), Value(b)
    out = (va * vb) * up + va * ga + vb * gb  # ∂/∂a = b·up + ga, ∂/∂b = a·up + gb
    out.backward()
    assert (new_a, new_b) == pytest.approx((va.grad, vb.grad), abs=1e-12)


def test_mul_backward_for_a_node_used_as_both_factors():
    # x·x: the engine calls the step with a = b = x and adds both results into x
    x = Value(1.5)
    (x * x).backward()
    ga, gb = s07.mul_backward(1.5, 1.5, 0.0, 0.0, 1.0)
    assert ga + gb == x.grad == 3.0


X, W, B, T = sp.symbols("x w b t")
SKIP_C = sp.Rational(1, 2) * (X + sp.tanh(W * X + B) - T) ** 2


@settings(max_examples=40, deadline=None)
@given(small, small, small, small)
def test_skip_block_grads_match_sympy_finite_differences_and_the_engine(x, w, b, t):
    got = s07.skip_block_grads(x, w, b, t)
    at = {X: x, W: w, B: b, T: t}
    sym = [float(sp.diff(SKIP_C, s).subs(at)) for s in (X, W, B)]
    assert got == pytest.approx(sym, rel=1e-9, abs=1e-12)

    def C(x_, w_, b_):
        return 0.5 * (x_ + np.tanh(w_ * x_ + b_) - t) ** 2

    fd = [central_difference(lambda v: C(v, w, b), x), central_difference(lambda v: C(x, v, b), w),
          central_difference(lambda v: C(x, w, v), b)]
    assert got == pytest.approx(fd, rel=1e-5, abs=1e-7)
    vx, vw, vb = Value(x), Value(w), Value(b)
    (0.5 * (vx + (vw * vx + vb).tanh() - t) ** 2).backward()
    assert got == pytest.approx((vx.grad, vw.grad, vb.grad), rel=1e-12, abs=1e-14)


def graph_of(parents: dict, root: str) -> Value:
    """A Value graph with the given structure (labels = names), built parents first."""
    nodes: dict[str, Value] = {}

    def build(name):
        if name not in nodes:
            nodes[name] = Value(1.0, tuple(build(p) for p in parents[name]), "op", name)
        return nodes[name]

    return build(root)


@pytest.mark.parametrize("case", [*BANK["q3"].cases, *hidden_cases("q3")])
def test_topo_order_is_the_engines_order_and_topological(case):
    parents, root = case["parents"], case["root"]
    order = s07.topo_order(parents, root)
    assert [n.label for n in topological_order(graph_of(parents, root))] == order
    assert order[-1] == root and len(order) == len(set(order))
    for k, node in enumerate(order):
        assert all(order.index(p) < k for p in parents[node])


def test_the_lecture_example_in_the_question_text():
    example = {"a": [], "b": [], "c": ["a", "b"], "d": ["c", "a"], "f": ["d"]}
    assert s07.topo_order(example, "f") == ["a", "b", "c", "d", "f"]


@pytest.mark.parametrize("qid", ["q1", "q2", "q3"])
def test_reference_passes_public_and_hidden_cases(qid):
    q = BANK[qid]
    for cases in (list(q.cases), hidden_cases(qid)):
        v = judge.evaluate(q, cases, outcomes(q.reference, cases))
        assert v.status == "pass" and v.points == q.points, v


@pytest.mark.parametrize("qid", ["q1", "q2", "q3"])
def test_every_mistake_is_named_on_public_and_hidden_cases(qid):
    q = BANK[qid]
    assert len(q.mistakes) >= 3
    for cases in (list(q.cases), hidden_cases(qid)):
        for m in q.mistakes:
            v = judge.evaluate(q, cases, outcomes(m.fn, cases))
            assert v.status == "fail" and v.points < q.points, (m.name, v)
            assert m.name in v.diagnoses and m.name in v.message, (m.name, v.message)


def test_the_named_mistakes_the_issue_asks_for():
    names = {m.name for m in BANK["q1"].mistakes}
    assert "`=` instead of `+=` (gradient overwritten when a node is used twice)" in names
    assert "missing upstream factor" in names


def test_mistake_texts_do_not_reveal_answers():
    for qid in ("q1", "q2", "q3"):
        q = BANK[qid]
        answers = [q.reference(**c) for c in q.cases]
        shown = {f"{v:.3g}" for a in answers if not isinstance(a[0], str) for v in a}
        shown |= {" ".join(a) for a in answers if isinstance(a[0], str)}
        for m in q.mistakes:
            text = m.name + " " + m.fix
            assert not any(s in text for s in shown), (qid, m.name)


def test_hidden_cases_differ_from_the_public_ones():
    for qid in ("q1", "q2", "q3"):
        hidden = hidden_cases(qid)
        assert len(hidden) >= 3
        assert not any(h in BANK[qid].cases for h in hidden)


def test_q4_is_a_written_answer_and_points_add_up():
    assert BANK["q4"].kind == "manual"
    assert sum(q.points for q in BANK.values()) == 12
    assert sum(q.points for q in BANK.values() if q.kind != "manual") == 10
