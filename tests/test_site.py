"""The course website (``nncourse site``): built offline into a temporary folder, then opened
page by page in a real headless Chromium from a local http.server.

Fast tests check the staging rules (links, snapshots, index) on small inputs. The slow ones
build the real site once and check, in the browser: every page loads with no console error
and no failed request (so nothing is fetched from a CDN: MathJax comes with the site), every
internal link resolves (file and #anchor), no page links into exercises/source/, maths is
typeset, and each widget placeholder shows its picture with a "Launch to interact" line.
Uses Debian's Chromium (/usr/bin/chromium) like tests/test_browser.py; never downloads one.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from nncourse.course import launch, outline, site

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# --- fast: the staging rules ------------------------------------------------------------------


def test_links_go_to_pages_github_or_stay() -> None:
    settings = launch.Launch("https://github.com/me/nncourse", "main", "v9")
    pages = {"notebooks/01_derivatives.ipynb", "exercises/student/01_derivatives.ipynb"}
    fix = lambda text: site._fix_links(text, "notebooks/02_x.ipynb", pages, REPO, settings)  # noqa: E731
    assert fix("[a](01_derivatives.ipynb#top)") == "[a](../notebooks/01_derivatives.ipynb#top)"
    assert fix("[a](../exercises/source/01_derivatives.ipynb)") == "[a](../exercises/student/01_derivatives.ipynb)"
    assert fix("[a](../docs/teaching.md)") == "[a](https://github.com/me/nncourse/blob/v9/docs/teaching.md)"
    assert fix("[a](../nncourse)") == "[a](https://github.com/me/nncourse/tree/v9/nncourse)"
    assert fix("[a](https://example.org/x) [b](#here)") == "[a](https://example.org/x) [b](#here)"
    assert fix("[a](../no/such/file.md)") == "[a](../no/such/file.md)"


def test_snapshot_of_a_widget_with_a_picture_and_of_one_without() -> None:
    import ipywidgets as widgets
    from PIL import Image

    from nncourse.widgets.derivatives import tangent_explorer, tangent_png

    explorer = tangent_explorer("x on curve", x=1.0)
    png, readouts = site.widget_snapshot(explorer.box)
    assert png == tangent_png(explorer.function.value, 1.0)  # the picture the widget starts with
    assert readouts == [explorer.readout.value]

    box = widgets.VBox([widgets.IntSlider(value=4, min=1, max=8, description="width"), widgets.HTML("<b>37</b>")])
    png, readouts = site.widget_snapshot(box)
    import io

    image = Image.open(io.BytesIO(png))
    assert image.width > 100 and image.height > 20 and readouts == ["<b>37</b>"]


def test_notebook_snapshots_rebuild_widgets_from_the_cells() -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport ipywidgets as w\nn = 3\nprint('hi')"),
        nbformat.v4.new_code_cell("w.VBox([w.IntSlider(value=n, description='n')])"),
        nbformat.v4.new_code_cell("print(1)"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={site.WIDGET_MIME: {"model_id": "x"}})]
    snaps = site.notebook_snapshots(json.loads(nbformat.writes(nb)))
    assert list(snaps) == [1]  # needed `n`: fell back to running the cells before it
    nb.cells[1].source = "w.VBox([w.IntSlider(value=undefined_name)])"
    with pytest.raises(ValueError, match="cell 1"):
        site.notebook_snapshots(json.loads(nbformat.writes(nb)))


def test_index_lists_every_section_with_its_time_and_only_student_exercises() -> None:
    title, sections = outline.load(REPO)
    text = site._index(title, sections)
    for s in sections:
        assert f"| {s.id} | {s.title} |" in text and f"| {s.minutes} min |" in text
    assert "exercises/source" not in text
    total = sum(s.minutes for s in sections)
    assert f"about {total // 60} h {total % 60} min" in text


# --- slow: the real site in a browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> site.SiteReport:
    pytest.importorskip("myst_nb", reason="the site needs the `site` extra (tests/requirements.txt)")
    out = tmp_path_factory.mktemp("site") / "_site"
    report = site.build(out)
    print(f"\nsite: {len(report.pages)} pages, {report.widgets} widgets, {report.seconds:.0f} s, "
          f"{report.megabytes:.1f} MB")
    return report


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server(built: site.SiteReport):
    handler = functools.partial(_Quiet, directory=str(built.out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    chromium = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if chromium is None:
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package 'chromium'): site browser test skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    playwright = sync_api.sync_playwright().start()
    try:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
    except Exception as err:
        playwright.stop()
        pytest.skip(f"Chromium at {chromium} could not be started: {err}")
    yield instance
    instance.close()
    playwright.stop()


# MathJax (served from the site itself) has replaced every formula's TeX by its typeset form.
TYPESET = ("() => [...document.querySelectorAll('span.math, div.math')]"
           ".every(e => e.querySelector('mjx-container') !== null)")


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def _ids(path: Path) -> set[str]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


@pytest.mark.slow
def test_site_holds_every_lecture_and_student_exercise_and_no_source(built: site.SiteReport) -> None:
    _, sections = outline.load(REPO)
    for s in sections:
        for rel in (s.notebook, f"{outline.STUDENT_DIR}/{Path(s.exercise).name}"):
            if (REPO / rel).is_file():
                assert (built.out / rel).with_suffix(".html").is_file(), rel
    assert not (built.out / "exercises" / "source").exists()
    assert built.warnings == [], "\n".join(built.warnings)
    expected = sum(
        1 for rel in built.pages for c in json.loads((REPO / rel).read_text(encoding="utf-8"))["cells"]
        if any(site.WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))
    )
    assert built.widgets == expected


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_loads_clean_and_every_link_resolves(built: site.SiteReport, server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{page.url}: request failed: {r.url}"))
    pages = sorted(p.relative_to(built.out).as_posix() for p in built.out.rglob("*.html")
                   if not p.relative_to(built.out).as_posix().startswith("_static/"))  # theme fragments
    assert "index.html" in pages and len(pages) >= len(built.pages) + 1
    placeholders = typeset = 0
    for rel in pages:
        response = page.goto(server + rel, wait_until="load")
        assert response is not None and response.ok, rel
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            assert "exercises/source" not in href, f"{rel} links into exercises/source/: {href}"
            url = urlsplit(urljoin(server + rel, href))
            if f"{url.scheme}://{url.netloc}/" != server:
                continue  # an external link (launch buttons, GitHub): not followed offline
            target = built.out / unquote(url.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{rel}: broken link {href}")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in _ids(target):
                problems.append(f"{rel}: link {href} names an anchor that {target.name} lacks")
        if rel.startswith(("notebooks/", "exercises/")):
            page.wait_for_function(TYPESET, timeout=120_000)
            typeset += page.evaluate("() => document.querySelectorAll('.math mjx-container').length")
            raw = page.evaluate("() => document.body.innerText.match(/model_id|widget-view\\+json/) !== null")
            assert not raw, f"{rel} shows raw widget JSON"
        for box in page.query_selector_all(f".{site.SNAPSHOT_CLASS}"):
            placeholders += 1
            box.scroll_into_view_if_needed()
            ok = box.eval_on_selector("img", "img => img.complete && img.naturalWidth > 50 && img.naturalHeight > 20")
            assert ok, f"{rel}: a widget placeholder shows no picture"
            assert site.LAUNCH_LINE in box.inner_text(), f"{rel}: a widget placeholder lacks its launch line"
    page.close()
    assert problems == [], "\n".join(problems[:40])
    assert placeholders == built.widgets
    assert typeset > 100, f"only {typeset} formulas typeset: is MathJax loading?"


@pytest.mark.slow
@pytest.mark.browser
def test_index_shows_the_outline_and_launch_buttons_point_at_the_repository(
    built: site.SiteReport, server: str, browser
) -> None:
    settings = launch.load(REPO)
    title, sections = outline.load(REPO)
    page = browser.new_page()
    page.goto(server + "index.html")
    text = page.inner_text("main")
    assert title in text
    for s in sections:
        assert s.title in text and f"{s.minutes} min" in text
    rel = sections[0].notebook
    page.goto(server + rel.replace(".ipynb", ".html"))
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert any(h.startswith(f"https://mybinder.org/v2/gh/{settings.slug}/") and rel in h for h in hrefs), hrefs
    assert launch.colab_url(rel, settings) in hrefs, hrefs
    assert re.search(r"search", page.content(), re.I)
    page.close()


def test_site_extra_is_pinned_in_tests_requirements() -> None:
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python >= 3.11")
    from packaging.requirements import Requirement
    from packaging.version import Version

    extra = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = {}
    for line in (TESTS / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = Version(version)
    for text in extra["site"]:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins and req.specifier.contains(pins[name]), f"{text} is not pinned in tests/requirements.txt"
