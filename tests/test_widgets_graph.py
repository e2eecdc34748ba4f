"""Headless tests of nncourse.widgets.graph (notebook 07): layout, the recorded backward steps,
their readouts, the pictures and the step-through widget."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from nncourse.autograd import Value, topological_order, zero_grad  # noqa: E402
from nncourse.widgets import graph  # noqa: E402


def lecture_graph():
    """Notebook 07's graph f = (a·b + a)² with a = 2, b = −3 (``graph.lecture_example``), and its nodes."""
    f = graph.lecture_example()
    d = f.parents[0]  # f = d²
    c, a = d.parents  # d = c + a
    b = c.parents[1]  # c = a·b
    assert [n.label for n in (a, b, c, d)] == ["a", "b", "c", "d"]
    return f, a, b, c, d


def neuron_graph():
    """A sigmoid neuron with a squared error, with x used twice."""
    x, w, b = Value(0.8, label="x"), Value(-1.3, label="w"), Value(0.2, label="b")
    y = (w * x + b).sigmoid() + x * x
    return 0.5 * (y - 0.3) ** 2, (x, w, b)


def test_layers_are_one_more_than_the_deepest_parent():
    L, a, b, c, d = lecture_graph()
    layer = graph.layers(L)
    assert [layer[id(n)] for n in (a, b, c, d, L)] == [0, 0, 1, 2, 3]
    pos = graph.positions(L)
    assert pos[id(a)][0] == pos[id(b)][0] < pos[id(c)][0] < pos[id(d)][0] < pos[id(L)][0]
    assert pos[id(a)][1] > pos[id(b)][1]  # top down in topological order


@pytest.mark.parametrize("build", [lambda: lecture_graph()[0], lambda: neuron_graph()[0]])
def test_steps_follow_reverse_topological_order_and_end_with_the_engines_gradients(build):
    root = build()
    steps = graph.backward_steps(root)
    order = topological_order(root)
    assert [s.node for s in steps] == list(reversed(order))
    assert [s.index for s in steps] == list(range(len(order))) and steps[0].upstream == 1.0
    recorded = {id(n): n.grad for n in order}
    assert steps[-1].grads == recorded
    zero_grad(root)
    root.backward()
    assert {id(n): n.grad for n in order} == pytest.approx(recorded, rel=1e-15)


def test_each_step_adds_local_times_upstream():
    root, _ = neuron_graph()
    steps = graph.backward_steps(root)
    for k, s in enumerate(steps):
        before = steps[k - 1].grads if k else {id(n): (1.0 if n is root else 0.0) for n in topological_order(root)}
        assert s.upstream == before[id(s.node)]  # the node's gradient is complete when its turn comes
        expected = dict(before)
        for c in s.contributions:
            assert c.amount == c.local * s.upstream
            assert c.before == pytest.approx(expected[id(c.parent)], abs=0) and c.after == c.before + c.amount
            expected[id(c.parent)] = c.after
        assert s.grads == expected


def test_lecture_numbers_in_the_readouts():
    L, *_ = lecture_graph()
    steps = graph.backward_steps(L)
    texts = [graph.readout_html(s) for s in steps]
    assert "Step 1 of 5: node f" in texts[0] and "∂f/∂f = 1" in texts[0]
    # step 2: d = c + a sends 1 × (−8) to both; step 3: c = a·b sends (−3) × (−8) = 24 to a
    assert "to a: local ∂d/∂a = 1.000000 × upstream -8.000000 = -8.000000" in texts[1]
    assert "to a: local ∂c/∂a = -3.000000 × upstream -8.000000 = 24.000000" in texts[2]
    assert "a.grad += 24.000000: -8.000000 → 16.000000" in texts[2]
    assert "to b: local ∂c/∂b = 2.000000 × upstream -8.000000 = -16.000000" in texts[2]
    assert "leaf" in texts[3] and "leaf" in texts[4]


def test_readout_numbers_match_the_recorded_step():
    root, _ = neuron_graph()
    for s in graph.backward_steps(root):
        text = graph.readout_html(s)
        assert text == graph.readout_html(s)  # pure
        for c in s.contributions:
            line = next(part for part in text.split("<br>") if part.startswith(f"to {graph.name_of(c.parent)}:")
                        and graph.fmt(c.local) in part)
            m = re.search(r"local ∂.+?/∂.+? = (-?[\d.]+) × upstream (-?[\d.]+) = (-?[\d.]+);", line)
            assert [float(v) for v in m.groups()] == pytest.approx([c.local, s.upstream, c.amount], rel=1e-5)


def test_node_used_twice_in_one_operation_is_reported_twice():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    first = graph.backward_steps(y)[0]
    assert [(c.before, c.after) for c in first.contributions] == [(0.0, 3.0), (3.0, 6.0)]


def test_pictures_draw_headless():
    import matplotlib.pyplot as plt

    L, a, *_ = lecture_graph()
    L.backward()
    fig, ax = plt.subplots()
    graph.draw_graph(L, ax, highlight=a, title="t")
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "grad 16.0000" in texts and "data -6.0000" in texts and "×" in texts and "**2" in texts
    plt.close(fig)
    fig, ax = plt.subplots()
    graph.draw_layer_graph(ax)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "dZ W" in texts and "dZᵀ A^(l−1)" in texts and "Σ_rows dZ" in texts
    plt.close(fig)
    png = graph.step_picture(L, graph.backward_steps(L)[2])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_step_through_widget_follows_its_slider():
    L, *_ = lecture_graph()
    w = graph.step_through(L)
    assert w.slider.max == len(w.steps) - 1 == 4
    assert w.readout.value == graph.readout_html(w.steps[0])
    w.move(+2)
    assert w.slider.value == 2 and w.readout.value == graph.readout_html(w.steps[2])
    w.move(+10)
    assert w.slider.value == 4
    w.move(-10)
    assert w.slider.value == 0
    assert repr(w.box).startswith("StepThrough(backward pass of f")
    with pytest.raises(TypeError, match="needs the Value"):
        graph.step_through(3.0)


def test_lecture_readout_is_the_notebooks_widget_readout():
    """The browser test compares notebook 07's widget with lecture_readout(slider value)."""
    import nbformat

    from nncourse.course.outline import course_root

    nb = nbformat.read(course_root() / "notebooks" / "07_autograd.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "step_through(" in c.source and c.cell_type == "code")
    assert cell.metadata["nncourse"] == {"slider": "node", "readout": "nncourse.widgets.graph:lecture_readout"}
    ns: dict = {}
    setup = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and "f.label" in c.source)
    exec("from nncourse.autograd import Value\n" + setup.replace("f.backward()", ""), ns)
    steps = graph.backward_steps(ns["f"])
    assert [graph.lecture_readout(i) for i in range(5)] == [graph.readout_html(s) for s in steps]
    w = graph.step_through(graph.lecture_example())
    assert w.slider.description == "node"
    with pytest.raises(ValueError, match="from 0 to 4"):
        graph.lecture_readout(5)
