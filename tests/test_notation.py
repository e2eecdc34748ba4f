"""The layer superscripts in the prose follow the glossary: W^(l), b^(l), z^(l), δ^(l) for l = 1..L.

The course uses Nielsen's convention: the input is layer 0 (a^(0) = x), W^(l) maps layer l − 1
to layer l, and the output layer is layer L. So in the mathematics of a notebook
- W, b, z and δ carry a layer number from 1 to L, never 0;
- a carries a layer number from 0 to L.

L is read off the notebook's own code: the deepest ``Network([...])`` it builds with a literal
list of sizes (L = number of sizes − 1), and L = 2 wherever it uses ``worked_example()``, the
2-2-2 network of notebook 06. The digits network ``Network([64, 32, 10])`` also has L = 2.
A notebook that builds no network is still checked for the forbidden layer 0.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    str(p.relative_to(ROOT)) for folder in ("notebooks", "exercises/source") for p in (ROOT / folder).glob("*.ipynb")
)
# W^{(2)}, W^(2), w^{(2)}_{jk}, \delta^{(1)}, δ^(1), a^{(0)}, \mathbf{a}^{(2)}: a symbol, a caret, a layer in brackets.
SUPERSCRIPT = re.compile(
    r"(?<![A-Za-z])(?:\\mathbf\{|\\boldsymbol\{)?(W|w|b|z|Z|a|A|\\delta|δ|\\Delta|Δ|Delta)\}?\s*\^\s*\{?\s*\(\s*(\d+)\s*\)"
)
NETWORK = re.compile(r"Network\(\s*(\[[^\]]*\])")
LOWEST = {"a": 0, "A": 0}  # a^(0) is the input; every other symbol starts at layer 1


def layers_of(code: str) -> int | None:
    """The largest L of the networks a notebook's code builds, or None if it builds none."""
    depths = []
    for sizes in NETWORK.findall(code):
        try:
            depths.append(len(ast.literal_eval(sizes)) - 1)
        except (ValueError, SyntaxError):
            continue  # sizes computed at run time: not checkable mechanically
    if "worked_example()" in code:
        depths.append(2)
    return max(depths, default=None)


def bad_superscripts(markdown: str, L: int | None) -> list[str]:
    """Every superscript in ``markdown`` outside the layers that exist in a network with L weight layers."""
    problems = []
    for symbol, layer in SUPERSCRIPT.findall(markdown):
        name = symbol.lstrip("\\")
        low = LOWEST.get(name, 1)
        if int(layer) < low or (L is not None and int(layer) > L):
            allowed = f"{low}..{L}" if L is not None else f">= {low}"
            problems.append(f"{name}^({layer}) (layers {allowed})")
    return problems


def test_the_checker_flags_the_old_convention_and_layers_past_the_output():
    assert bad_superscripts(r"$W^{(0)}$ leads into layer 1", 2) == ["W^(0) (layers 1..2)"]
    assert bad_superscripts(r"the output weights $W^{(3)}$", 2) == ["W^(3) (layers 1..2)"]
    assert bad_superscripts(r"$\delta^{(0)}$ and δ^(3)", None) == ["delta^(0) (layers >= 1)"]
    assert bad_superscripts(r"$w^{(2)}_{jk}$, $a^{(0)} = x$, $\mathbf{a}^{(2)}$, $b^{(1)}$", 2) == []
    assert bad_superscripts(r"$x^2 + a^2$, $e^{(z)}$, $W^{(l)}$", 2) == []  # powers and letters are not layers


def test_layers_are_read_off_the_code():
    assert layers_of('Network([64, 32, 10], seed=0)') == 2
    assert layers_of('Network([2, 3, 3, 3])\nex = worked_example()') == 3
    assert layers_of("ex = worked_example()") == 2
    assert layers_of("Network(sizes)") is None


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_layer_superscripts_exist_in_the_notebooks_network(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    L = layers_of(code)
    problems = [
        f"cell {i}: {p}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for p in bad_superscripts(cell.source, L)
    ]
    assert not problems, f"{notebook} (L = {L}): " + "; ".join(problems)


def test_the_worked_example_and_the_digits_network_are_checked():
    """The two networks the issue names: the worked example (06) and the digits network (08)."""
    for notebook in ("notebooks/06_worked_example.ipynb", "notebooks/09_minibatch_training.ipynb"):
        nb = nbformat.read(ROOT / notebook, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert layers_of(code) == 2, notebook
