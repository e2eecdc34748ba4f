"""Notebook 06 (the worked 2-2-2 example) and its widget module.

(a) The committed, executed notebook prints every number of the course notes' worked-example
    table. Each printed value is parsed from the outputs and compared, to 6 significant digits,
    with a value computed here independently: hand-written arithmetic with ``math.exp``, no nncourse.
(b) The widget module, driven from Python without a browser.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_worked_example.ipynb"
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


# -- independent arithmetic ------------------------------------------------------------------------


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _forward(p: dict[str, float], round_hidden: bool = False) -> dict[str, float]:
    """The 2-2-2 network of the course notes, written out by hand."""
    x1, x2, t1, t2 = 0.95, 0.06, 0.05, 0.82
    v = {"net_H1": p["w1"] * x1 + p["w2"] * x2 + p["b1"], "net_H2": p["w3"] * x1 + p["w4"] * x2 + p["b1"]}
    v["H1"], v["H2"] = _sig(v["net_H1"]), _sig(v["net_H2"])
    if round_hidden:  # the seed carries H1 = 0.538 and H2 = 0.52
        v["H1"], v["H2"] = 0.538, 0.52
    v["net_Y1"] = p["w5"] * v["H1"] + p["w6"] * v["H2"] + p["b2"]
    v["net_Y2"] = p["w7"] * v["H1"] + p["w8"] * v["H2"] + p["b2"]
    v["Y1"], v["Y2"] = _sig(v["net_Y1"]), _sig(v["net_Y2"])
    v["E1"], v["E2"] = 0.5 * (t1 - v["Y1"]) ** 2, 0.5 * (t2 - v["Y2"]) ** 2
    v["E"] = v["E1"] + v["E2"]
    return v


START = {"w1": 0.1, "w2": 0.15, "w3": 0.03, "w4": 0.025, "w5": 0.18, "w6": 0.06, "w7": 0.11, "w8": 0.26,
         "b1": 0.05, "b2": 0.42}


def _gradients(p: dict[str, float]) -> dict[str, float]:
    """Backprop by hand for this one network (shared biases: sum of the neurons' δ)."""
    x1, x2, t1, t2 = 0.95, 0.06, 0.05, 0.82
    v = _forward(p)
    dY1 = (v["Y1"] - t1) * v["Y1"] * (1 - v["Y1"])
    dY2 = (v["Y2"] - t2) * v["Y2"] * (1 - v["Y2"])
    dH1 = (dY1 * p["w5"] + dY2 * p["w7"]) * v["H1"] * (1 - v["H1"])
    dH2 = (dY1 * p["w6"] + dY2 * p["w8"]) * v["H2"] * (1 - v["H2"])
    return {
        "w1": dH1 * x1, "w2": dH1 * x2, "w3": dH2 * x1, "w4": dH2 * x2,
        "w5": dY1 * v["H1"], "w6": dY1 * v["H2"], "w7": dY2 * v["H1"], "w8": dY2 * v["H2"],
        "b1": dH1 + dH2, "b2": dY1 + dY2,
        "delta_Y1": dY1, "delta_Y2": dY2, "delta_H1": dH1, "delta_H2": dH2,
        "dE_dH1": dY1 * p["w5"] + dY2 * p["w7"], "dE_dH2": dY1 * p["w6"] + dY2 * p["w8"],
    }


EXACT = _forward(START)
ROUNDED = _forward(START, round_hidden=True)
GRAD = _gradients(START)
SEED_Y1 = round(ROUNDED["Y1"], 5)  # the seed prints 0.63368


def _expected() -> dict[str, float]:
    v, r, g = EXACT, ROUNDED, GRAD
    exp = {
        "net H1": v["net_H1"], "net H2": v["net_H2"], "H1": v["H1"], "H2": v["H2"],
        "net Y1": v["net_Y1"], "net Y2": v["net_Y2"], "Y1": v["Y1"], "Y2": v["Y2"],
        "E1": v["E1"], "E2": v["E2"], "E": v["E"],
        "Y1 (seed's rounding)": r["Y1"], "Y2 (seed's rounding)": r["Y2"],
        "net Y1 (seed's rounding)": r["net_Y1"], "E (seed's rounding)": r["E"],
        "∂E/∂Y1": v["Y1"] - 0.05, "∂Y1/∂net Y1": v["Y1"] * (1 - v["Y1"]), "∂net Y1/∂w5": v["H1"],
        "∂E/∂Y1 (seed's rounding)": SEED_Y1 - 0.05,
        "∂Y1/∂net Y1 (seed's rounding)": round(SEED_Y1 * (1 - SEED_Y1), 5),
        "∂net Y1/∂w5 (seed's rounding)": 0.538,
        "∂E/∂w5 (seed's rounding)": (SEED_Y1 - 0.05) * round(SEED_Y1 * (1 - SEED_Y1), 5) * 0.538,
        "δ_Y1": g["delta_Y1"], "δ_Y2": g["delta_Y2"], "δ_H1": g["delta_H1"], "δ_H2": g["delta_H2"],
        "∂E/∂H1": g["dE_dH1"], "∂E/∂H2": g["dE_dH2"],
        "w5 after one step": START["w5"] - 0.01 * g["w5"],
        "w5 with the seed's plus sign (wrong)": START["w5"] + 0.01 * g["w5"],
        "E after one step, minus sign": _forward({k: START[k] - 0.01 * g[k] for k in START})["E"],
        "E after one step, plus sign": _forward({k: START[k] + 0.01 * g[k] for k in START})["E"],
    }
    for name in START:
        exp[f"∂E/∂{name}"] = g[name]
    return exp


def _same6(a: float, b: float) -> bool:
    """Equal to 6 significant digits."""
    return float(f"{a:.6g}") == float(f"{b:.6g}")


# -- the notebook's outputs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def output_lines(notebook) -> list[str]:
    lines = []
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = out["text"]
            else:
                text = out.get("data", {}).get("text/plain", "")
            lines += ("".join(text) if isinstance(text, list) else text).splitlines()
    return lines


def _values_for(label: str, lines: list[str]) -> list[float]:
    """The value printed on every line that starts with ``label =``: the number after the last '='."""
    found = []
    for line in lines:
        if re.match(rf"\s*{re.escape(label)}\s*=", line):
            m = re.match(rf"\s*({NUMBER})", line.rsplit("=", 1)[1])
            assert m, f"no number after the last '=' in {line!r}"
            found.append(float(m.group(1)))
    return found


def test_independent_values_reproduce_the_course_notes_table():
    # the test's own arithmetic against the digits printed in course-notes.md
    v, g = EXACT, GRAD
    assert [round(v[k], 6) for k in ("H1", "H2", "net_Y1", "net_Y2", "Y1", "Y2")] == [
        0.538424, 0.519989, 0.548116, 0.614424, 0.633698, 0.648949]
    assert [round(v[k], 6) for k in ("E1", "E2", "E")] == [0.170352, 0.014629, 0.184981]
    assert round(ROUNDED["E"], 6) == 0.184972 and round(ROUNDED["Y1"], 5) == 0.63368
    notes = {"w5": 0.072952, "w6": 0.070454, "w7": -0.020981, "w8": -0.020263, "w1": 0.0047460,
             "w2": 0.00029975, "w3": -0.00047476, "w4": -0.000029985, "b2": 0.096523, "b1": 0.0044961}
    for name, value in notes.items():
        assert float(f"{g[name]:.5g}") == value, name
    assert round(START["w5"] - 0.01 * g["w5"], 6) == 0.179270


@pytest.mark.parametrize("label", list(_expected()))
def test_notebook_prints_value(label, output_lines):
    expected = _expected()[label]
    printed = _values_for(label, output_lines)
    assert printed, f"the notebook never prints a line starting with {label!r} ="
    for value in printed:
        assert _same6(value, expected), f"{label}: printed {value}, expected {expected:.8g}"


def test_comparison_table_has_all_four_methods_agreeing(output_lines):
    # nncourse.gradcheck.agreement_table: "∂E/∂w1  by-hand  SymPy  finite-diff  backprop  largest-gap"
    rows = {}
    for line in output_lines:
        m = re.match(rf"\s*∂E/∂(w[1-8]|b[12])((?:\s+{NUMBER}){{5}})\s*$", line)
        if m:
            rows[m.group(1)] = [float(x) for x in m.group(2).split()]
    assert sorted(rows) == sorted(START)
    for name, values in rows.items():
        *methods, gap = values
        for value in methods:
            assert _same6(value, GRAD[name]), (name, values)
        assert gap == pytest.approx(max(methods) - min(methods), rel=0.1, abs=1e-10)
        assert gap < 1e-8, (name, gap)  # finite differences with h = 1e-6 agree to about 1e-10


def test_many_steps_printed_and_decreasing(output_lines):
    # 100 full-batch steps by hand (shared biases stay shared) for lr 0.01 and 1.0
    for lr in (0.01, 1.0):
        p = dict(START)
        errors = [_forward(p)["E"]]
        for _ in range(100):
            g = _gradients(p)
            p = {k: p[k] - lr * g[k] for k in START}
            errors.append(_forward(p)["E"])
        assert all(b < a for a, b in zip(errors, errors[1:]))
        line = next(x for x in output_lines if x.startswith(f"lr = {lr}:"))
        after1, after100 = (float(x) for x in re.findall(rf"steps? = ({NUMBER})", line))
        assert _same6(after1, errors[1]) and _same6(after100, errors[100]), line


def test_notebook_structure(notebook):
    from nncourse.course.outline import header_markdown, section

    cells = notebook["cells"]
    src = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    assert cells[0]["cell_type"] == "markdown" and src[0] == header_markdown(section("06"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    markdown = [s for c, s in zip(cells, src) if c["cell_type"] == "markdown"]
    assert any(s.startswith("> **Common mistakes**") for s in markdown)
    assert any(s.startswith("## Summary") for s in markdown)
    assert any(s.startswith("## Exercises") and "exercises/student/06_worked_example.ipynb" in s
               for s in markdown)
    text = "\n".join(markdown)
    for claim in ("w3 = 0.03", "w4 = 0.025", "w7 = 0.11", "w8 = 0.26"):
        assert claim in text
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "commit the notebook executed"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "run in order"
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr")
    browser = [c for c in code if "browser-test" in c["metadata"].get("tags", [])]
    assert len(browser) == 1
    meta = browser[0]["metadata"]["nncourse"]
    assert meta == {"slider": "factor", "readout": "nncourse.widgets.worked_example:readout_html"}
    assert f'description="{meta["slider"]}"' in "".join(browser[0]["source"])


# -- (b) the widget module, headless --------------------------------------------------------------


def _factor_values() -> list[float]:
    v, g = EXACT, GRAD
    return [
        v["Y1"] - 0.05, v["Y1"] * (1 - v["Y1"]), v["H1"], g["w5"],
        g["delta_Y1"], START["w5"], g["delta_Y2"], START["w7"], g["dE_dH1"],
        v["H1"] * (1 - v["H1"]), 0.95, g["w1"],
    ]


def test_worked_values_match_independent_arithmetic():
    from nncourse.widgets.worked_example import worked_values

    v = worked_values()
    for key in ("net_H1", "net_H2", "H1", "H2", "net_Y1", "net_Y2", "Y1", "Y2", "E1", "E2", "E"):
        assert math.isclose(v[key], EXACT[key], rel_tol=1e-12), key
    for name in START:
        assert math.isclose(v[f"dE_d{name}"], GRAD[name], rel_tol=1e-12), name


def test_chain_factors_values_and_products():
    from nncourse.widgets.worked_example import N_STEPS, chain_factors

    factors = chain_factors()
    assert len(factors) == N_STEPS == 12
    for fac, expected in zip(factors, _factor_values()):
        assert math.isclose(fac.value, expected, rel_tol=1e-12), fac.name
    f = [fac.value for fac in factors]
    assert math.isclose(f[0] * f[1] * f[2], f[3], rel_tol=1e-12)
    assert math.isclose(f[4] * f[5] + f[6] * f[7], f[8], rel_tol=1e-12)  # the sum over both outputs
    assert math.isclose(f[8] * f[9] * f[10], f[11], rel_tol=1e-12)
    assert [fac.target for fac in factors] == ["∂E/∂w5"] * 4 + ["∂E/∂w1"] * 8
    assert factors[8].edges == ("w5", "w7")  # both paths out of H1 light up


def test_readout_html_is_pure_and_shows_name_formula_value():
    from nncourse.widgets.worked_example import chain_factors, fmt, readout_html

    for step, fac in enumerate(chain_factors()):
        html = readout_html(step)
        assert html == readout_html(step)
        assert fac.name in html and fac.formula in html
        shown = float(re.search(rf"<b>({NUMBER})</b></div>$", html).group(1))
        assert _same6(shown, _factor_values()[step])
        assert f"<b>{fmt(fac.value)}</b>" in html
    for bad in (-1, 12):
        with pytest.raises(ValueError, match="step must be"):
            readout_html(bad)


def test_fmt_keeps_six_significant_digits():
    from nncourse.widgets.worked_example import fmt

    assert fmt(0.154) == "0.154000"
    assert fmt(0.0729515275833) == "0.0729515"
    assert fmt(-2.998453842294562e-05) == "-0.0000299845"
    assert fmt(0.18498103053564696) == "0.184981"
    assert fmt(0.0) == "0.000000"
    assert fmt(12.5) == "12.500000"


def test_step_through_widget_buttons_and_slider_drive_the_readout():
    from nncourse.widgets.worked_example import network_png, readout_html, step_through

    walk = step_through()
    assert walk.slider.description == "factor"
    assert (walk.slider.min, walk.slider.max) == (0, 11)
    assert "nncourse-readout" in walk.readout._dom_classes
    assert walk.readout.value == readout_html(0)
    first_picture = walk.picture.value
    assert first_picture[:8] == b"\x89PNG\r\n\x1a\n"
    walk.previous.click()  # already at the start: stays
    assert walk.slider.value == 0
    for step in range(1, 12):
        walk.next.click()
        assert walk.slider.value == step
        assert walk.readout.value == readout_html(step)
    assert walk.picture.value == network_png(11) != first_picture
    walk.next.click()  # at the end: stays
    assert walk.slider.value == 11
    walk.slider.value = 5
    assert walk.readout.value == readout_html(5)
    walk.previous.click()
    assert walk.readout.value == readout_html(4)
    assert repr(walk.box).startswith("StepThrough(")


def test_draw_network_labels_weights_values_and_gradients():
    from matplotlib.figure import Figure

    from nncourse.widgets.worked_example import draw_network

    ax = Figure().add_subplot()
    draw_network(ax, show_gradients=True, highlight_nodes=("H1",), highlight_edges=("w5",))
    texts = [t.get_text() for t in ax.texts]
    for w in ("w1 = 0.1", "w4 = 0.025", "w7 = 0.11", "w8 = 0.26"):
        assert any(t.startswith(w) for t in texts), w
    assert any("∂E/∂w5 = 0.07295" in t for t in texts)
    assert any("out 0.538424" in t for t in texts)
    assert any(t == "E = 0.184981" for t in texts)
    orange = [line for line in ax.lines if line.get_color() == "#e8710a"]
    assert len(orange) == 1 and list(orange[0].get_xdata()) == [2.2, 4.4]
