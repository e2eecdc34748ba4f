"""Every course notebook in a real JupyterLab, in a real (headless) Chromium, driven by Playwright.

For each notebook listed in course.yml that exists (a copy, so autosave can't touch the original):
open it, Run > Run All Cells, wait until the status bar has said "Busy" and then "Idle", then
assert that no output holds a traceback or an error, and that every widget rendered as a widget
(no text fallback such as ``HBox(children=...``). For each cell tagged ``browser-test`` (see
docs/notebook-style.md: metadata ``nncourse.slider`` = the slider's description and
``nncourse.readout`` = ``"module:function"``), focus that slider's handle, press ArrowRight a few
times and check that the cell's ``.nncourse-readout`` shows ``function(new value)`` as computed
here in Python.

Also runs a small self-check notebook (built from tests/browser_fixture.py) so the harness is
proven to see a slider move even before the course has notebooks.

The test never sleeps a fixed time: it polls the page for the state it expects (the kernel Idle,
widget views attached, the page unchanged between two polls, a readout showing the new value),
each wait bounded by a generous timeout that only a broken notebook should reach.

Uses Debian's Chromium (/usr/bin/chromium); never downloads a browser. Skips, saying why, only
when no Chromium or no Playwright can be had. A failing notebook leaves a screenshot in
tests/artifacts/ (with ``NNCOURSE_BROWSER_SCREENSHOTS=1`` every notebook does).
``NNCOURSE_BROWSER_NOTEBOOKS`` (paths joined by ``os.pathsep``) replaces the course's list, for
trying the harness on other notebooks.
"""

from __future__ import annotations

import html.parser
import importlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from nncourse.course import outline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
ARTIFACTS = TESTS / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SELF_CHECK = "00_browser_self_check.ipynb"
# Generous bounds on waits that poll: reached only by a broken notebook, never by a slow machine.
OPEN_TIMEOUT = 120  # s, for the notebook to open and its kernel to start
RUN_ALL_TIMEOUT = 600  # s, one notebook's Run All; each cell is meant to take < 10 s
# (the whole check of notebook 10, Run All included, took 144 s on a loaded 2-core machine)
SLIDER_TIMEOUT = 60  # s, for the kernel to answer a slider move
SETTLE_TIMEOUT = 60  # s, for widget views to attach and the page to stop changing once the kernel is Idle
POLL_MS = 250  # how often the page is polled for the state a wait is waiting for
ARROW_PRESSES = 3

# What a widget looks like when the front end could not render it: its repr as text.
WIDGET_FALLBACK = re.compile(
    r"\b(?:HBox|VBox|Box|GridBox|Tab|Accordion|interactive)\(children="
    r"|\b(?:Float|Int)(?:Range|Log)?Slider\(value="
    r"|\b(?:Dropdown|ToggleButtons|RadioButtons|Checkbox|Button|HTML|HTMLMath|Label|Output|Play)\((?:value|"
    r"description|options|layout)="
    r"|Error displaying widget|Failed to display Jupyter Widget|Loading widget\.\.\."
)


# --- which notebooks --------------------------------------------------------------------------


def course_notebooks() -> list[Path]:
    override = os.environ.get("NNCOURSE_BROWSER_NOTEBOOKS")
    if override:
        return [Path(p).resolve() for p in override.split(os.pathsep) if p]
    _, sections = outline.load(REPO)
    return [REPO / s.notebook for s in sections if (REPO / s.notebook).is_file()]


def self_check_notebook() -> dict:
    """A notebook that follows the browser-test convention, with tests/browser_fixture.py's readout."""
    import nbformat

    source = (
        "import ipywidgets as widgets\n"
        "from browser_fixture import square_readout\n\n"
        "slider = widgets.FloatSlider(value=0.3, min=0.0, max=2.0, step=0.1, readout_format='.1f',\n"
        "                             description='self-check x')\n"
        "readout = widgets.HTML(square_readout(slider.value)).add_class('nncourse-readout')\n"
        "slider.observe(lambda change: setattr(readout, 'value', square_readout(change['new'])), names='value')\n"
        "widgets.VBox([slider, readout])"
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(tags=["browser-test"], nncourse={
        "slider": "self-check x", "readout": "browser_fixture:square_readout",
    })
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Browser-test self-check"),
        # A slow cell, run in the kernel: Run All must be waited for by polling, however long it takes.
        nbformat.v4.new_code_cell("import time\ntime.sleep(1.0)\nprint('ran')"),
        cell,
        nbformat.v4.new_code_cell("widgets.interactive(lambda a: print(a * 2), a=(0, 5))"),
    ]
    return nb


# --- the server and the browser ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


LAB_SETTINGS = {
    # No news or update check (no network), no pop-ups over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
    # Render every cell: the default windowing leaves cells outside the viewport out of the page.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


class Lab:
    def __init__(self, root: Path, url: str, token: str, process: subprocess.Popen, log: Path):
        self.root, self.url, self.token, self.process, self.log = root, url, token, process, log

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_sessions(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """JupyterLab on 127.0.0.1, a free port and a random token, serving copies of the notebooks."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    (root / "notebooks").mkdir(parents=True)
    for path in course_notebooks():
        # Copy the notebook's folder's other files too (data files, helper modules), never checkpoints.
        for sibling in path.parent.iterdir():
            if sibling.is_file() and not (root / "notebooks" / sibling.name).exists():
                shutil.copy2(sibling, root / "notebooks" / sibling.name)
    import nbformat

    nbformat.write(self_check_notebook(), str(root / "notebooks" / SELF_CHECK))
    shutil.copy2(TESTS / "browser_fixture.py", root / "notebooks" / "browser_fixture.py")
    settings = base / "settings"
    for rel, value in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(value), encoding="utf-8")

    port, token = _free_port(), secrets.token_hex(24)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.pop("NNCOURSE_ROOT", None)
    log = base / "jupyterlab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyterlab", "--no-browser",
                f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                "--ServerApp.allow_root=True", "--LabApp.news_url=None",
            ],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Lab(root, f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                server.api("GET", "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within 90 s:\n{log.read_text()[-3000:]}")
                try:  # poll again soon; an exit is noticed at once
                    process.wait(timeout=0.3)
                except subprocess.TimeoutExpired:
                    pass
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if _chromium() is None:
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package 'chromium'): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
    except Exception as err:  # the binary exists but can't start here
        playwright.stop()
        pytest.skip(f"Chromium at {_chromium()} could not be started: {err}")
    yield chromium
    chromium.close()
    playwright.stop()


# --- reading the page -------------------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a browser shows for ``markup`` (its DOM textContent), whitespace collapsed."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return normalise("".join(parser.parts))


def normalise(text: str) -> str:
    return " ".join(text.split())


def readout_function(spec: str):
    """``"package.module:function"`` -> the function."""
    module, _, name = spec.partition(":")
    if not name:
        raise ValueError(f"nncourse.readout {spec!r} must be 'module:function'")
    return getattr(importlib.import_module(module), name)


def parse_readout(text: str) -> float | int:
    text = text.strip().replace("\u2212", "-")
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


STATUS_JS = """() => {
  const items = Array.from(document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem'));
  const kernel = items.map(e => e.textContent).find(t => / \\| /.test(t) && /Python|ipykernel|Kernel/i.test(t));
  return kernel || '';
}"""

WATCH_BUSY_JS = """() => {
  window.__nncourseSawBusy = false;
  const bar = document.querySelector('#jp-main-statusbar');
  const look = () => { if (/\\|\\s*Busy/.test(bar.textContent)) window.__nncourseSawBusy = true; };
  look();
  new MutationObserver(look).observe(bar, {subtree: true, childList: true, characterData: true});
}"""

DONE_JS = """() => {
  if (!window.__nncourseSawBusy) return false;
  const bar = document.querySelector('#jp-main-statusbar').textContent;
  if (!/\\|\\s*Idle/.test(bar)) return false;
  const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'));
  return !prompts.some(p => p.textContent.includes('*'));
}"""

CELL_REPORT_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell')).map(cell => {
  const outputs = Array.from(cell.querySelectorAll('.jp-OutputArea-output'));
  const mime = o => o.getAttribute('data-mime-type') || '';
  const failed = o => mime(o) === 'application/vnd.jupyter.stderr'
                      && /Traceback|\\w*Error\\b|Exception\\b/.test(o.textContent);
  return {
    code: cell.classList.contains('jp-CodeCell'),
    ran: /\\[\\d+\\]/.test((cell.querySelector('.jp-InputArea-prompt') || {}).textContent || ''),
    stderr_tracebacks: outputs.filter(failed).map(o => o.textContent.slice(0, 500)),
    text: outputs.filter(o => /text\\/plain|stdout|stderr/.test(mime(o))).map(o => o.textContent).join('\\n'),
    widgets: cell.querySelectorAll('.jp-OutputArea-output .jupyter-widgets[class*="widget-"]').length,
    widget_text: Array.from(cell.querySelectorAll('.jp-OutputArea-output .jupyter-widgets'))
                      .map(o => o.textContent).join('\\n'),
  };
})"""


SETTLED_JS = f"""(widgetCells) => {{
  const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));
  const hasView = i => cells[i] && cells[i].querySelector('.jp-OutputArea-output .jupyter-widgets[class*="widget-"]');
  if (!({STATUS_JS})().includes('Idle') || !widgetCells.every(hasView)) {{
    window.__nncourseLastReport = null;
    return false;
  }}
  const report = JSON.stringify(({CELL_REPORT_JS})());
  const settled = window.__nncourseLastReport === report;
  window.__nncourseLastReport = report;
  return settled;
}}"""

TEXT_CHANGED_JS = "([element, before]) => element.textContent.trim() !== before.trim()"
TEXT_IS_JS = "([element, expected]) => element.textContent.split(/\\s+/).filter(Boolean).join(' ') === expected"


def _wait_until_settled(page, cells: list[dict]) -> None:
    """Poll until the kernel is Idle, every widget cell shows a widget view, and the page's cells read
    the same on two polls in a row. On a timeout, return: the checks that follow say what is wrong."""
    page.evaluate("() => { window.__nncourseLastReport = null; }")  # forget the last wait's page
    try:
        page.wait_for_function(SETTLED_JS, arg=_expected_widget_cells(cells), timeout=SETTLE_TIMEOUT * 1000,
                               polling=POLL_MS)
    except Exception:  # playwright's TimeoutError: _page_problems reports the missing views or errors
        print(f"\nthe page did not settle within {SETTLE_TIMEOUT} s (kernel Idle, widget views, no changes)")


def _notebook_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _expected_widget_cells(cells: list[dict]) -> list[int]:
    """Code cells whose saved outputs hold a widget view, or that are tagged browser-test."""
    found = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        tagged = "browser-test" in cell.get("metadata", {}).get("tags", [])
        views = any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.get("outputs", []))
        if tagged or views:
            found.append(i)
    return found


# --- the test ---------------------------------------------------------------------------------


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


NOTEBOOKS = [Path(SELF_CHECK)] + course_notebooks()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_in_the_browser(notebook: Path, lab: Lab, browser, record_property) -> None:
    copy = lab.root / "notebooks" / notebook.name
    cells = _notebook_cells(copy)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    start = time.perf_counter()
    try:
        _check_notebook(page, lab, copy, cells, record_property)
        if os.environ.get("NNCOURSE_BROWSER_SCREENSHOTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{notebook.stem}.png"), full_page=True)
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"{notebook.stem}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        except Exception as err:  # the page itself may be gone
            print(f"no screenshot: {err}")
        raise
    finally:
        record_property("seconds", round(time.perf_counter() - start, 1))
        print(f"\n{notebook.name}: {time.perf_counter() - start:.1f} s in the browser")
        context.close()
        lab.shut_down_sessions()


def _page_problems(page, cells: list[dict]) -> list[str]:
    """Tracebacks, cells that never ran, and widgets shown as text or not shown at all."""
    report = page.evaluate(CELL_REPORT_JS)
    assert len(report) == len(cells), f"page shows {len(report)} cells, the notebook has {len(cells)}"
    problems = []
    for i, (cell, seen) in enumerate(zip(cells, report, strict=True)):
        deliberate = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        if seen["code"] and not seen["ran"]:
            problems.append(f"cell {i}: never ran (Run All stops at the first error)")
        if seen["stderr_tracebacks"] and not deliberate:
            problems.append(f"cell {i}: error output: {seen['stderr_tracebacks'][0][:300]!r}")
        fallback = WIDGET_FALLBACK.search(seen["text"]) or WIDGET_FALLBACK.search(seen["widget_text"])
        if fallback:
            problems.append(f"cell {i}: a widget shown as text, not rendered: {fallback.group(0)!r}")
    for i in _expected_widget_cells(cells):
        if not report[i]["widgets"]:
            problems.append(f"cell {i}: should show a widget, but the page has no widget view in its output")
    return problems


def _check_notebook(page, lab: Lab, copy: Path, cells: list[dict], record_property) -> None:
    rel = copy.relative_to(lab.root).as_posix()
    page.goto(f"{lab.url}/lab/tree/{rel}?reset&token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=OPEN_TIMEOUT * 1000)
    page.wait_for_function(f"() => ({STATUS_JS})().includes('Idle')", timeout=OPEN_TIMEOUT * 1000,
                           polling=POLL_MS)

    # Run > Run All Cells, and wait for Busy ... Idle with every code cell numbered.
    page.evaluate(WATCH_BUSY_JS)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    try:
        page.wait_for_function(DONE_JS, timeout=RUN_ALL_TIMEOUT * 1000, polling=POLL_MS)
    except Exception as err:
        raise AssertionError(
            f"{copy.name}: Run All did not finish (Busy, then Idle, no cell queued) within {RUN_ALL_TIMEOUT} s "
            f"(status bar: {page.evaluate(STATUS_JS)!r})"
        ) from err
    _wait_until_settled(page, cells)  # the last widget views attach after Idle

    problems = _page_problems(page, cells)
    assert not problems, f"{copy.name}:\n" + "\n".join(problems)

    moved = 0
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {})
        if "browser-test" not in meta.get("tags", []):
            continue
        before, after = _move_slider_and_check(page, copy.name, i, meta.get("nncourse", {}))
        print(f"\n{copy.name} cell {i}: slider {meta['nncourse']['slider']!r} {before!r} -> {after!r}, readout ok")
        moved += 1
    record_property("sliders_moved", moved)
    if moved:
        # The widgets' own callbacks (plots redrawn after the move) must finish without an error.
        try:
            page.wait_for_function(f"() => ({STATUS_JS})().includes('Idle')", timeout=RUN_ALL_TIMEOUT * 1000)
        except Exception as err:
            raise AssertionError(f"{copy.name}: kernel still busy {RUN_ALL_TIMEOUT} s after the slider moved") from err
        _wait_until_settled(page, cells)
        problems = _page_problems(page, cells)
        assert not problems, f"{copy.name}, after moving the sliders:\n" + "\n".join(problems)


def _move_slider_and_check(page, name: str, index: int, spec: dict) -> tuple[float, float]:
    where = f"{name} cell {index}"
    assert spec.get("slider") and spec.get("readout"), (
        f"{where}: a browser-test cell needs metadata nncourse.slider and nncourse.readout, has {spec}"
    )
    function = readout_function(spec["readout"])
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    slider = cell.locator(".widget-slider, .widget-hslider, .widget-vslider").filter(
        has=page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(spec['slider'])}\s*$"))
    )
    assert slider.count() == 1, f"{where}: expected one slider described {spec['slider']!r}, found {slider.count()}"
    readouts = cell.locator(".nncourse-readout")
    assert readouts.count() == 1, f"{where}: expected one .nncourse-readout, found {readouts.count()}"
    value_box = slider.locator(".widget-readout")

    before_value = parse_readout(value_box.inner_text())
    before_text = normalise(readouts.text_content())
    assert before_text == html_text(function(before_value)), (
        f"{where}: before moving, the readout shows {before_text!r} but {spec['readout']}({before_value!r}) "
        f"gives {html_text(function(before_value))!r}"
    )
    handle = slider.locator(".noUi-handle").first
    # noUiSlider keeps the handle's position in aria-valuenow/aria-valuemax: at the top, go left.
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    at_top = now is not None and top is not None and float(now) >= float(top)
    keys = ["ArrowLeft", "ArrowRight"] if at_top else ["ArrowRight", "ArrowLeft"]
    before_text = value_box.text_content()
    handle.focus()
    for attempt, key in enumerate(keys):
        for _ in range(ARROW_PRESSES * (1 + attempt)):
            handle.press(key)
        try:  # poll until the slider's own readout shows a new value
            page.wait_for_function(TEXT_CHANGED_JS, arg=[value_box.element_handle(), before_text],
                                   timeout=SLIDER_TIMEOUT * 1000, polling=POLL_MS)
            break
        except Exception:  # playwright's TimeoutError: it did not move that way; try the other
            continue
    after_value = parse_readout(value_box.inner_text())
    assert after_value != before_value, f"{where}: the slider did not move with the arrow keys"

    expected = html_text(function(after_value))
    try:  # poll until the kernel has answered the move and the readout shows the new value
        page.wait_for_function(TEXT_IS_JS, arg=[readouts.element_handle(), expected],
                               timeout=SLIDER_TIMEOUT * 1000, polling=POLL_MS)
    except Exception:  # playwright's TimeoutError: the assert below says what it shows instead
        pass
    shown = normalise(readouts.text_content())
    assert shown == expected, (
        f"{where}: slider {spec['slider']!r} moved {before_value!r} -> {after_value!r}; the readout shows "
        f"{shown!r}, but {spec['readout']}({after_value!r}) gives {expected!r}"
    )
    return before_value, after_value
