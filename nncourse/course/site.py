"""The course website: ``nncourse site -o _site`` builds static HTML of the whole course.

Sphinx with MyST-NB renders the committed notebooks as they are (execution off), with the
sphinx-book-theme's table of contents, search and Binder/Colab launch buttons. It builds with no
network: the maths is typeset by MathJax 3 (one file from the ``django-static-mathjax`` package,
copied into the site).

The pages are made from copies of the notebooks (``stage``), never from the files themselves:

* the index: ``course.yml``'s title, the outline with each section's time, and the tables of
  contents (lectures, then the student exercises; never ``exercises/source``);
* header cells are regenerated without badges (the theme has launch buttons), and the Colab
  setup cell is left out;
* a widget can't run on a static page, so each widget output becomes its initial picture (the
  widget's ``Image`` children, or a drawing of its controls when it has none), its readout, and a
  line "Launch to interact" with Binder and Colab links (``widget_snapshot``);
* links to ``exercises/source/`` point to the student version; links to other files of the
  repository that are not pages point to the file on GitHub at the release.
"""

from __future__ import annotations

import ast
import base64
import html
import io
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import launch as _launch
from . import outline

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SNAPSHOT_CLASS = "nncourse-widget-static"  # the placeholder's HTML class (the browser test looks for it)
LAUNCH_LINE = "Launch to interact"


@dataclass
class SiteReport:
    out: Path
    seconds: float
    pages: list[str] = field(default_factory=list)  # source paths of the pages, e.g. notebooks/01_x.ipynb
    widgets: int = 0  # widget outputs replaced by a snapshot
    warnings: list[str] = field(default_factory=list)

    @property
    def megabytes(self) -> float:
        return sum(p.stat().st_size for p in self.out.rglob("*") if p.is_file()) / 1e6


# --- widget snapshots -------------------------------------------------------------------------


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _as_widget(obj):
    """The widget to show for a cell's value: a widget itself, or an object's ``.box``."""
    import ipywidgets as widgets

    for candidate in (obj, getattr(obj, "box", None)):
        if isinstance(candidate, widgets.Widget):
            return candidate
    return None


def _controls_png(controls: list) -> bytes:
    """A drawing of a widget's controls at their initial values (for widgets with no picture)."""
    from matplotlib.figure import Figure

    from ..widgets.panel import png

    rows = max(len(controls), 1)
    fig = Figure(figsize=(4.8, 0.45 * rows + 0.2))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(rows, 0)
    ax.axis("off")
    for i, c in enumerate(controls):
        y = i + 0.5
        ax.text(0.02, y, str(getattr(c, "description", "") or type(c).__name__), va="center", fontsize=10)
        value = getattr(c, "value", None)
        lo, hi = getattr(c, "min", None), getattr(c, "max", None)
        if isinstance(value, (int, float)) and lo is not None and hi is not None and hi > lo:
            frac = (value - lo) / (hi - lo)
            ax.plot([0.4, 0.85], [y, y], color="#bbbbbb", lw=4, solid_capstyle="round")
            ax.plot([0.4, 0.4 + 0.45 * frac], [y, y], color="#1f77b4", lw=4, solid_capstyle="round")
            ax.plot([0.4 + 0.45 * frac], [y], "o", color="#1f77b4", ms=9)
            ax.text(0.88, y, f"{value:g}", va="center", fontsize=10)
        else:
            ax.text(0.4, y, f"[ {value} ]" if value is not None else "[ button ]", va="center", fontsize=10)
    data = png(fig)
    return data


def _stack(pictures: list[bytes]) -> bytes:
    """Several PNGs as one, one below the other."""
    if len(pictures) == 1:
        return pictures[0]
    from PIL import Image

    images = [Image.open(io.BytesIO(p)).convert("RGBA") for p in pictures]
    width, height = max(i.width for i in images), sum(i.height for i in images)
    sheet = Image.new("RGBA", (width, height), "white")
    top = 0
    for image in images:
        sheet.paste(image, (0, top))
        top += image.height
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    return buffer.getvalue()


def widget_snapshot(widget) -> tuple[bytes, list[str]]:
    """``(png, readouts)``: the widget's initial picture and the HTML of its readouts.

    The picture is the widget's ``Image`` children stacked (the pictures it redraws), or a
    drawing of its controls when it has no image. Readouts are its ``HTML``/``HTMLMath`` values.
    """
    import ipywidgets as widgets

    parts = list(_walk(widget))
    pictures = [bytes(w.value) for w in parts if isinstance(w, widgets.Image) and w.value]
    readouts = [w.value for w in parts if isinstance(w, (widgets.HTML, widgets.HTMLMath)) and w.value]
    if not pictures:
        controls = [w for w in parts if isinstance(w, widgets.ValueWidget) and not isinstance(
            w, (widgets.HTML, widgets.HTMLMath, widgets.Label, widgets.Image))]
        pictures = [_controls_png(controls)]
    return _stack(pictures), readouts


def _code(source: str) -> str:
    """A cell's source with IPython magics (``%...``, ``!...``) dropped, for plain ``exec``."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _imports(source: str) -> str:
    """Only the top-level import statements of a cell."""
    try:
        body = ast.parse(_code(source)).body
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom)))


def _run_cell(source: str, namespace: dict):
    """Execute a cell; return the value of its last expression (as Jupyter would display it)."""
    tree = ast.parse(_code(source))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the course's own notebook
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307


def notebook_snapshots(nb: dict) -> dict[int, tuple[bytes, list[str]]]:
    """``{cell index: widget_snapshot}`` for every code cell whose outputs hold a widget.

    Each widget cell is run after the import statements of the cells before it; if it needs more
    than that (a NameError or similar), after every code cell before it. Nothing else runs, and
    what the cells print is discarded.
    """
    import contextlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = nb.get("cells", [])
    wanted = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and any(
        WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))]
    snapshots: dict[int, tuple[bytes, list[str]]] = {}
    for index in wanted:
        source = lambda c: "".join(c.get("source", ""))  # noqa: E731
        code_before = [source(c) for c in cells[:index] if c.get("cell_type") == "code"]
        namespace: dict = {"__name__": "__main__"}
        widget = None
        for prefix in ([_imports(s) for s in code_before], code_before):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    for s in prefix:
                        _run_cell(s, namespace)
                    widget = _as_widget(_run_cell(source(cells[index]), namespace))
                break
            except Exception:  # try again with every cell before it
                namespace = {"__name__": "__main__"}
        plt.close("all")
        if widget is None:
            raise ValueError(f"cell {index}: could not rebuild its widget to take a picture of it")
        snapshots[index] = widget_snapshot(widget)
    return snapshots


def snapshot_html(png: bytes, readouts: list[str], binder: str, colab: str) -> str:
    """The static stand-in for a widget: picture, readouts and the launch line."""
    data = base64.b64encode(png).decode("ascii")
    parts = [f'<div class="{SNAPSHOT_CLASS}">',
             f'<img src="data:image/png;base64,{data}" alt="the widget as it starts" '
             'style="max-width:100%; border:1px solid #ddd">']
    parts += [f'<div class="nncourse-widget-readout">{r}</div>' for r in readouts]
    parts.append(f'<p class="nncourse-launch"><em>{LAUNCH_LINE}:</em> '
                 f'<a href="{html.escape(binder)}">open in Binder</a> or '
                 f'<a href="{html.escape(colab)}">open in Colab</a>.</p>')
    parts.append("</div>")
    return "\n".join(parts)


# --- staging the pages ------------------------------------------------------------------------

LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def _fix_links(text: str, rel: str, pages: set[str], root: Path, settings: _launch.Launch) -> str:
    """Point links at pages of the site, or at GitHub for other files of the repository."""
    here = PurePosixPath(rel).parent

    def fix(match: re.Match) -> str:
        target = match[2]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            return match[0]  # a URL or an anchor on this page
        path, _, anchor = target.partition("#")
        resolved = PurePosixPath(*[p for p in (here / path).parts])
        parts: list[str] = []
        for part in resolved.parts:
            if part == "..":
                if parts:
                    parts.pop()
            elif part != ".":
                parts.append(part)
        repo_path = "/".join(parts)
        if repo_path.startswith("exercises/source/"):
            repo_path = outline.STUDENT_DIR + "/" + repo_path.removeprefix("exercises/source/")
        if repo_path in pages:
            new = str(PurePosixPath(*([".."] * len(here.parts)), repo_path)) if here.parts else repo_path
            return f"{match[1]}{new}{'#' + anchor if anchor else ''}{match[3]}"
        if (root / repo_path).exists():
            kind = "tree" if (root / repo_path).is_dir() else "blob"
            url = f"{settings.repository}/{kind}/{settings.release}/{repo_path}"
            return f"{match[1]}{url}{'#' + anchor if anchor else ''}{match[3]}"
        return match[0]

    return LINK.sub(fix, text)


def _stage_notebook(src: Path, rel: str, s: outline.Section, kind: str, pages: set[str], root: Path,
                    settings: _launch.Launch) -> tuple[dict, int]:
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("widgets", None)
    cells = [c for c in nb.get("cells", []) if _launch.SETUP_TAG not in c.get("metadata", {}).get("tags", [])]
    nb["cells"] = cells
    if cells and cells[0].get("cell_type") == "markdown" and "".join(cells[0]["source"]).startswith(f"# {s.id}. "):
        cells[0]["source"] = outline.header_markdown(s, kind, settings, badges=False)
    snapshots = notebook_snapshots(nb)
    binder, colab = _launch.binder_url(rel, settings), _launch.colab_url(rel, settings)
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = _fix_links(text, rel, pages, root, settings)
        if i in snapshots:
            png, readouts = snapshots[i]
            outputs = []
            for out in cell.get("outputs", []):
                if WIDGET_MIME in out.get("data", {}):
                    out = {"output_type": "display_data", "metadata": {},
                           "data": {"text/html": snapshot_html(png, readouts, binder, colab)}}
                outputs.append(out)
            cell["outputs"] = outputs
    return nb, len(snapshots)


def _index(title: str, sections: list[outline.Section]) -> str:
    total = sum(s.minutes for s in sections)
    lines = [
        f"# {title}",
        "",
        "An open course in Jupyter notebooks: from the rules of derivatives to backpropagation by hand, "
        "then mini-batch training, optimizers and a playground. Each lecture page shows the notebook "
        "with its outputs; the buttons at the top of a page open it in Binder or Colab, where the code "
        "and the widgets run.",
        "",
        "## Course outline",
        "",
        "| # | section | lecture | exercises | time |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in sections:
        student = f"{outline.STUDENT_DIR}/{Path(s.exercise).name}"
        lines.append(f"| {s.id} | {s.title} | [lecture {s.id}]({s.notebook}) | [exercises {s.id}]({student}) "
                     f"| {s.minutes} min |")
    lines += ["", f"Total: about {total // 60} h {total % 60} min of study.", ""]
    lines += ["```{toctree}", ":caption: Lectures", ":maxdepth: 1", ""]
    lines += [f"{s.id}. {s.title} <{Path(s.notebook).with_suffix('')}>" for s in sections]
    lines += ["```", "", "```{toctree}", ":caption: Exercises", ":maxdepth: 1", ""]
    lines += [f"Exercises {s.id}: {s.title} <{outline.STUDENT_DIR}/{Path(s.exercise).stem}>" for s in sections]
    lines += ["```", ""]
    return "\n".join(lines)


def _conf(title: str, settings: _launch.Launch, mathjax: str) -> str:
    values = {
        "project": title,
        "html_title": title,
        "extensions": ["myst_nb"],
        "nb_execution_mode": "off",  # render the committed outputs
        "nb_ipywidgets_js": {},  # no widget JavaScript (it would come from a CDN): snapshots instead
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "html_theme": "sphinx_book_theme",
        "html_static_path": ["_static"],
        "html_copy_source": True,  # the theme's download button offers the page's notebook
        "html_context": {"default_mode": "light"},
        "html_show_sourcelink": False,
        "mathjax_path": mathjax,
        "html_favicon": "_static/favicon.png",
        "html_theme_options": {
            "repository_url": settings.repository,
            "repository_branch": settings.release,
            "path_to_docs": "",
            "use_repository_button": True,
            "launch_buttons": {"binderhub_url": "https://mybinder.org",
                               "colab_url": "https://colab.research.google.com",
                               "notebook_interface": "jupyterlab"},
        },
    }
    return "\n".join(f"{key} = {value!r}" for key, value in values.items()) + "\n"


MATHJAX = "tex-svg-full.js"  # MathJax 3 in one file: every TeX extension, SVG output, no fonts to fetch


def mathjax_file() -> Path:
    """MathJax 3's ``es5/tex-svg-full.js`` from the django-static-mathjax package (no Django needed)."""
    try:
        import mathjax
    except ImportError as err:
        raise FileNotFoundError(
            "The site needs MathJax: pip install django-static-mathjax (the `site` extra, pinned in "
            "tests/requirements.txt)."
        ) from err
    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / MATHJAX
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall django-static-mathjax.")
    return path


def _favicon(path: Path) -> None:
    """A small icon, so that browsers asking for one get it (a missing favicon is a console error)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for x, y in ((6, 8), (6, 24), (26, 16)):
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=(31, 119, 180, 255))
    draw.line((6, 8, 26, 16), fill=(31, 119, 180, 255), width=2)
    draw.line((6, 24, 26, 16), fill=(31, 119, 180, 255), width=2)
    image.save(path)


def stage(src: Path, root: Path | None = None) -> tuple[list[str], int]:
    """Write the Sphinx project into ``src``: conf.py, index.md, notebook copies, MathJax.

    Returns the pages' repository paths and the number of widget snapshots.
    """
    root = Path(root) if root else outline.course_root()
    settings = _launch.load(root)
    title, sections = outline.load(root)
    plan = []  # (repository path, section, kind)
    for s in sections:
        plan.append((s.notebook, s, "notebook"))
        plan.append((f"{outline.STUDENT_DIR}/{Path(s.exercise).name}", s, "exercise"))
    plan = [p for p in plan if (root / p[0]).is_file()]
    pages = {rel for rel, _, _ in plan}
    widgets = 0
    for rel, s, kind in plan:
        nb, n = _stage_notebook(root / rel, rel, s, kind, pages, root, settings)
        widgets += n
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    (src / "index.md").write_text(_index(title, [s for s in sections if (root / s.notebook).is_file()]),
                                  encoding="utf-8")
    (src / "_static").mkdir(exist_ok=True)
    shutil.copy(mathjax_file(), src / "_static" / MATHJAX)
    _favicon(src / "_static" / "favicon.png")
    (src / "conf.py").write_text(_conf(title, settings, MATHJAX), encoding="utf-8")
    return sorted(pages), widgets


def build(out: Path, root: Path | None = None, quiet: bool = True) -> SiteReport:
    """Build the website into ``out`` (replaced if it exists) and report what was built."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="nncourse-site-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        pages, widgets = stage(src, root)
        if out.exists():
            shutil.rmtree(out)
        log = Path(tmp) / "warnings.txt"
        args = ["-b", "html", "-E", "-w", str(log), "-d", str(Path(tmp) / "doctrees")]
        code = build_main([*args, *(["-q"] if quiet else []), str(src), str(out)])
        warnings = [w for w in log.read_text(encoding="utf-8").splitlines() if w.strip()] if log.exists() else []
        if code != 0:
            raise RuntimeError("sphinx-build failed:\n" + "\n".join(warnings[-20:]))
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve _static/ as it is
    return SiteReport(out, time.perf_counter() - start, pages, widgets, warnings)


def main(argv: list[str] | None = None) -> int:
    """``python -m nncourse.site -o _site``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("-o", "--out", type=Path, default=Path("_site"))
    args = parser.parse_args(argv)
    report = build(args.out)
    for w in report.warnings:
        print(f"warning: {w}")
    print(f"built {len(report.pages)} pages ({report.widgets} widget snapshots) into {report.out} "
          f"in {report.seconds:.0f} s, {report.megabytes:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
