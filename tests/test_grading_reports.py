"""What `nncourse grade` writes besides the gradebook, and the Gradescope autograder.

One module-scoped run grades a small planted class of section 06 (the submissions of
tests/test_grading.py: the instructor's solution pasted into the student version, then one
change) with ``--feedback --format canvas --format moodle --roster``:

- alice: the solution; bob, carol, dave: δ without the σ′ factor in q4 (a named mistake);
- a hostile file named like an HTML tag, whose answers to q1 and q4 raise an exception quoting
  their inputs (public and hidden), and whose first cell raises an exception holding a <script>.

The tests read the feedback pages (in Chromium too), the exports and the summary, regrade one
submission with ``--only``, and run the Gradescope autograder on a fake /autograder tree.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_grading import ROOT, SIGMA, need_sandbox, run_grade, snapshot, snapshot_env, submission

TESTS = Path(__file__).resolve().parent
SECTION = "06"
EXERCISE = "06_worked_example.ipynb"
HOSTILE = "<img src=x onerror=alert(1)>"
ECHO = (
    "def forward(X, W1, b1, W2, b2):\n    raise ValueError(repr(X.tolist()))\n"
    "def output_layer_grads(A_prev, Z, T):\n    raise ValueError(repr(A_prev.tolist()))\n"
)
SCRIPT = "raise ValueError(\"<script>document.title='pwned'</script>\")"
PLANTED = {  # login: the submission's text (built in the fixture, from the snapshot's notebooks)
    "alice": {},
    "bob": {SIGMA: "delta = (A - T)"},
    "carol": {SIGMA: "delta = (A - T)"},
    "dave": {SIGMA: "delta = (A - T)"},
}
ROSTER = (
    "login,name,id,sis_user_id,sis_login_id,section,email\n"
    'alice,"Liddell, Alice",101,S101,aliddell,A,alice@example.org\n'
    'bob,"Builder, Bob",102,S102,bbuilder,A,bob@example.org\n'
    'carol,"Danvers, Carol",103,S103,cdanvers,B,carol@example.org\n'
    'dave,"Bowman, Dave",104,S104,dbowman,B,dave@example.org\n'
    'frank,"Poole, Frank",105,S105,fpoole,B,frank@example.org\n'
)


def file_of(login: str) -> str:
    return f"{login}__{EXERCISE}"


def course_snapshot(dest: Path) -> Path:
    """tests/test_grading.py's snapshot, plus pyproject.toml (the autograder zip packs it)."""
    snapshot(dest)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def cli(course: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nncourse.course.cli", *args]
    return run_grade(command, timeout=timeout, env=snapshot_env(course), cwd=course)


# -- what must never appear: hidden inputs and expected values ------------------------------------


def _numbers(x) -> list[float]:
    import numpy as np

    if isinstance(x, dict):
        return [v for item in x.values() for v in _numbers(item)]
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _numbers(item)]
    if isinstance(x, np.ndarray):
        return [float(v) for v in x.ravel()]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return [float(x)]
    return []


def _forms(values: list[float]) -> set[str]:
    return {f for v in values for f in (repr(v), f"{v:.6g}", f"{v:.4g}")}


def secret_strings() -> list[str]:
    """Every hidden case's inputs and the reference's outputs on them, as a report could print
    them (repr, 6 and 4 significant figures), minus what the public cases print as well, and
    minus short strings ("0.5") that could appear for other reasons."""
    from nncourse.grading.judge import expected_output
    from nncourse.grading.probe import hidden_cases
    from nncourse.grading.release import source_path
    from nncourse.grading.spec import bank

    questions = bank(SECTION)
    public: set[str] = set()
    for q in questions.values():
        for case in q.cases if q.reference is not None and q.kind != "manual" else ():
            public |= _forms(_numbers(case)) | _forms(_numbers(expected_output(q.reference, q, case)))
    secret: set[str] = set()
    for qid, cases in hidden_cases(source_path(SECTION)).items():
        q = questions[qid]
        for case in cases:
            secret |= _forms(_numbers(case)) | _forms(_numbers(expected_output(q.reference, q, case)))
    return sorted(s for s in secret - public if len(s.lstrip("-")) >= 5)


def secrets_of(course: Path) -> list[str]:
    """``secret_strings()`` computed with the snapshot's bank and source (not this checkout's)."""
    code = f"import json, sys; sys.path.insert(0, {str(TESTS)!r}); import test_grading_reports as t; " \
           "print(json.dumps(t.secret_strings()))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=snapshot_env(course),
                          cwd=course, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def hidden_leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


# -- the planted class, graded once ------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Grade the planted class once with every output; returns a dict of paths and texts."""
    need_sandbox()
    base = tmp_path_factory.mktemp("reports")
    course = course_snapshot(base / "course")
    source = course / "exercises" / "source" / EXERCISE
    student = course / "exercises" / "student" / EXERCISE
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    for login, replace in PLANTED.items():
        (subs / file_of(login)).write_text(submission(replace, source=source, student=student))
    hostile = submission(extra=[SCRIPT], at=3, source=source, student=student)
    nb = json.loads(hostile)
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": ECHO, "outputs": [], "execution_count": None})
    (subs / file_of(HOSTILE)).write_text(json.dumps(nb))
    (base / "roster.csv").write_text(ROSTER)
    gradebook = out / "gradebook.csv"
    proc = cli(course, "grade", SECTION, str(subs), "-o", str(gradebook), "--feedback", str(out / "feedback"),
               "--format", "canvas", "--format", "moodle", "--roster", str(base / "roster.csv"),
               "--cell-timeout", "5", "--timeout", "60", "--no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with gradebook.open(newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    return {"base": base, "course": course, "subs": subs, "out": out, "gradebook": gradebook, "rows": rows,
            "stdout": proc.stdout, "secrets": secrets_of(course), "source": source, "student": student}


def page_of(planted, login: str) -> str:
    from nncourse.grading.report import report_name

    return (planted["out"] / "feedback" / report_name(file_of(login))).read_text(encoding="utf-8")


LOGINS = [*PLANTED, HOSTILE]


@pytest.mark.slow
def test_one_feedback_page_per_submission_with_its_points(planted):
    pages = sorted(p.name for p in (planted["out"] / "feedback").iterdir())
    assert len(pages) == len(LOGINS) and all(p.endswith(".html") for p in pages)
    for login in LOGINS:
        row = planted["rows"][file_of(login)]
        page = page_of(planted, login)
        assert f"Total: {float(row['total']):g} / {float(row['max']):g} points" in page
        for qid in ("q1", "q4", "q5"):
            assert f"{float(row[qid]):g} / " in page


@pytest.mark.slow
def test_feedback_names_the_planted_mistake_and_its_fix(planted):
    from nncourse.grading.spec import bank

    fix = next(m.fix for m in bank(SECTION)["q4"].mistakes if m.name == "σ′ factor missing")
    q4 = section_of(page_of(planted, "bob"), "q4")
    assert f"<strong>σ′ factor missing</strong>: {html.escape(fix)}" in q4
    # the hidden q4 cases fail too: only how many, and the mistake's name
    assert "hidden tests: 0 of 2 passed (2 gave a wrong answer); mistakes recognised: <strong>σ′ factor " in q4
    assert "All tests passed." in section_of(page_of(planted, "alice"), "q4")


def section_of(page: str, qid: str) -> str:
    start = page.index(f'<h2>{qid}: ')
    return page[start : page.index("</section>", start)]


@pytest.mark.slow
@pytest.mark.parametrize("login", LOGINS)
def test_no_hidden_input_or_expected_value_in_a_page(planted, login):
    secrets = planted["secrets"]
    assert len(secrets) > 50  # the check has something to look for
    assert hidden_leaks(page_of(planted, login), secrets) == []


@pytest.mark.slow
def test_the_leak_check_sees_what_a_hostile_answer_echoes(planted):
    """Control: the hostile answer's echo of a PUBLIC input does reach its page (escaped), so the
    same echo of a hidden input would be caught by the test above."""
    from nncourse.grading.spec import bank

    public_x = repr(bank(SECTION)["q1"].cases[0]["X"])
    page = page_of(planted, HOSTILE)
    assert f"ValueError: {public_x}" in page.replace("&#x27;", "'")


@pytest.mark.slow
def test_submission_text_is_escaped(planted):
    page = page_of(planted, HOSTILE)
    assert "<script" not in page and "&lt;script&gt;document.title=" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "raised ValueError" in page  # the cell that raised is reported


@pytest.mark.slow
@pytest.mark.browser
def test_feedback_pages_render_offline_in_chromium(planted):
    from nncourse.grading.report import report_name

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package 'chromium')")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args, headless=True)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else route.abort())
            for login in LOGINS:
                row = planted["rows"][file_of(login)]
                path = planted["out"] / "feedback" / report_name(file_of(login))
                page.goto(path.as_uri())
                text = page.inner_text("body")
                assert f"Total: {float(row['total']):g} / {float(row['max']):g} points" in text
                assert page.locator("table tr").count() >= 1 + 7  # header + a row per question
                assert page.evaluate("document.scripts.length") == 0 and page.title().startswith("Feedback")
                assert hidden_leaks(text, planted["secrets"]) == []
            assert all(u.startswith("file:") for u in requests), requests
        finally:
            browser.close()


@pytest.mark.slow
def test_canvas_export_layout(planted):
    from nncourse.course import outline

    text = (planted["out"] / "gradebook_canvas.csv").read_text()
    table = list(csv.reader(io.StringIO(text)))
    column = f"Exercise {SECTION} {outline.section(SECTION).title}"
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    maximum = float(planted["rows"][file_of("alice")]["max"])
    assert table[1] == ["Points Possible", "", "", "", "", f"{maximum:g}"]
    by_name = {r[0]: r for r in table[2:]}
    assert len(table) == 2 + 6  # five on the roster (frank without a submission) + one not on it
    for login, name, cid in (("alice", "Liddell, Alice", "101"), ("bob", "Builder, Bob", "102")):
        total = float(planted["rows"][file_of(login)]["total"])
        assert by_name[name] == [name, cid, f"S{cid}", name.split(", ")[1][0].lower() + name.split(",")[0].lower(),
                                 "A", f"{total:g}"]
    assert by_name["Poole, Frank"][-1] == ""  # no submission: left empty, Canvas keeps what it has
    assert by_name[HOSTILE][3] == HOSTILE  # not on the roster: under its login, as SIS Login ID
    assert "not on the roster" in planted["stdout"] and "frank" in planted["stdout"]


@pytest.mark.slow
def test_moodle_export_layout(planted):
    table = list(csv.reader(io.StringIO((planted["out"] / "gradebook_moodle.csv").read_text())))
    assert table[0][:4] == ["Username", "ID number", "Email address", "Full name"] and len(table[0]) == 5
    rows = {r[0]: r for r in table[1:]}
    total = float(planted["rows"][file_of("carol")]["total"])
    assert rows["carol"] == ["carol", "103", "carol@example.org", "Danvers, Carol", f"{total:g}"]
    assert rows["frank"][-1] == ""


@pytest.mark.slow
def test_summary_counts_the_planted_mistakes(planted):
    rows = list(planted["rows"].values())
    summary = {r["question"]: r for r in csv.DictReader((planted["out"] / "gradebook_summary.csv").open())}
    assert summary["q4"]["mistakes"] == "σ′ factor missing (3)"
    assert float(summary["q4"]["full_marks"]) == pytest.approx(1 / 5)  # only alice; the hostile one raises
    for qid, item in summary.items():
        if qid not in ("q4", "total"):
            assert item["mistakes"] == "", (qid, item)
        if item["mean"]:
            column = "total" if qid == "total" else qid
            mean = sum(float(r[column]) for r in rows) / len(rows)
            assert float(item["mean"]) == pytest.approx(mean, abs=0.005), qid
    md = (planted["out"] / "gradebook_summary.md").read_text()
    assert "σ′ factor missing (3)" in md and "| q4: " in md
    assert "σ′ factor missing (3)" in planted["stdout"]


@pytest.mark.slow
def test_only_regrades_one_row_and_keeps_the_others_byte_identical(planted, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(planted["out"], out)
    before = (out / "gradebook.csv").read_text().splitlines(keepends=True)
    subs = tmp_path / "submissions"
    shutil.copytree(planted["subs"], subs)
    fixed = submission(source=planted["source"], student=planted["student"])
    (subs / file_of("bob")).write_text(fixed)
    proc = cli(planted["course"], "grade", SECTION, str(subs), "-o", str(out / "gradebook.csv"), "--only",
               str(subs / file_of("bob")), "--format", "canvas", "--roster", str(planted["base"] / "roster.csv"),
               "--cell-timeout", "5", "--timeout", "60", "--no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = (out / "gradebook.csv").read_text().splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert [after[i].split(",")[0] for i in changed] == [file_of("bob")]
    bob = next(csv.DictReader(io.StringIO(after[0] + after[changed[0]])))
    assert bob["total"] == planted["rows"][file_of("alice")]["total"]  # now the same answers as alice
    summary = {r["question"]: r for r in csv.DictReader((out / "gradebook_summary.csv").open())}
    assert summary["q4"]["mistakes"] == "σ′ factor missing (2)"
    assert not list(out.glob(".*"))  # no temporary files left


def test_only_needs_an_existing_gradebook(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.ipynb").write_text("{}")
    proc = subprocess.run(
        [sys.executable, "-m", "nncourse.course.cli", "grade", SECTION, str(tmp_path / "subs"), "-o",
         str(tmp_path / "gb.csv"), "--only", str(tmp_path / "subs" / "a.ipynb")],
        capture_output=True, text=True, timeout=300,
    )
    if "refusing to grade without a sandbox" in proc.stderr:
        pytest.skip("no sandbox here")
    assert proc.returncode == 2 and "existing gradebook" in proc.stderr, proc.stderr


# -- Gradescope ---------------------------------------------------------------------------------------

VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
FORMATS = ["text", "html", "simple_format", "md", "ansi"]
RESULTS_SCHEMA = {  # from Gradescope's "Autograder Specifications", Output format
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS},
        "test_name_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "visibility"],
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": {"enum": FORMATS},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": {"enum": FORMATS},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": {"enum": VISIBILITY},
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


def validate_results(data: dict) -> None:
    import jsonschema

    jsonschema.validate(data, RESULTS_SCHEMA)
    for test in data["tests"]:
        assert test["score"] <= test["max_score"] + 1e-9, test


def test_results_json_of_a_synthetic_result_follows_the_spec():
    """No kernels: a question with 2 public and 2 hidden cases, half of each passing."""
    from nncourse.grading.details import CaseResult, QuestionResult
    from nncourse.grading.grade import Row
    from nncourse.grading.gradescope import results_json

    q = QuestionResult("q1", "Forward", "function", 2.0, 4.0,
                       public=[CaseResult("pass", "correct"), CaseResult("wrong", "sign error: flip it", "sign error")],
                       hidden={"pass": 1, "wrong": 1}, hidden_mistakes=["sign error"])
    manual = QuestionResult("q2", "Essay", "manual", None, 2.0)
    row = Row("a.ipynb", {"q1": 2.0, "q2": None}, 2.0, 4.0, "ok", "", "")
    data = results_json(row, [q, manual], {"q1": [{}] * 4}, {"q1": 2}, ["code cell 2 raised <b>X</b>"], 3.0)
    validate_results(data)
    public, hidden = data["tests"]
    assert (public["score"], public["max_score"], public["visibility"]) == (1.0, 2.0, "visible")
    assert (hidden["score"], hidden["max_score"], hidden["visibility"]) == (1.0, 2.0, "after_published")
    assert hidden["output"] == "1 of 2 hidden tests passed; mistakes recognised: sign error"
    assert data["score"] == 2.0 and "marked by your instructor" in data["output"]
    with pytest.raises(Exception, match="is not one of"):
        validate_results({**data, "tests": [{**public, "visibility": "later"}]})  # the schema can fail


@pytest.fixture(scope="module")
def autograder(planted, tmp_path_factory):
    """The zip built by `nncourse autograder 06` from the snapshot, unpacked as Gradescope would."""
    base = tmp_path_factory.mktemp("gradescope")
    zip_path = base / "autograder.zip"
    proc = cli(planted["course"], "autograder", SECTION, "-o", str(zip_path), timeout=300)
    assert proc.returncode == 0, proc.stderr
    return zip_path


def run_autograder(zip_path: Path, root: Path, notebook: Path) -> dict:
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    (root / "submission").mkdir()
    shutil.copy2(notebook, root / "submission" / EXERCISE)
    (root / "submission" / "notes.txt").write_text("not graded")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), NNCOURSE_PYTHON=sys.executable,
               PYTHONPATH=str(root / "source"))
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env=env, cwd=root, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_autograder_zip_has_the_scripts_at_its_root(autograder):
    with zipfile.ZipFile(autograder) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "course.yml", "autograder.json"} <= names
    assert f"exercises/source/{EXERCISE}" in names and "nncourse/grading/grade.py" in names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any("__pycache__" in n for n in names)


@pytest.mark.slow
@pytest.mark.parametrize("login", ["alice", "bob"])
def test_autograder_scores_like_the_grader(planted, autograder, tmp_path, login):
    data = run_autograder(autograder, tmp_path / "autograder", planted["subs"] / file_of(login))
    validate_results(data)
    row = planted["rows"][file_of(login)]
    assert data["score"] == pytest.approx(float(row["total"]))
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(float(row["total"]), abs=0.02)
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(float(row["max"]), abs=0.02)
    by_name = {t["name"].split(":")[0] + (" hidden" if "hidden" in t["name"] else ""): t for t in data["tests"]}
    assert by_name["q4 hidden"]["visibility"] == "after_published" and by_name["q4"]["visibility"] == "visible"
    if login == "bob":
        assert "σ′ factor missing" in by_name["q4"]["output"] and by_name["q4"]["status"] == "failed"
        assert "mistakes recognised: σ′ factor missing" in by_name["q4 hidden"]["output"]
    assert hidden_leaks(json.dumps(data, ensure_ascii=False), planted["secrets"]) == []


# -- pieces, without kernels ------------------------------------------------------------------------


def test_login_from_the_file_name():
    from nncourse.grading.export import login_of

    assert login_of("alice__06_worked_example.ipynb") == "alice"
    assert login_of("bob/anything.ipynb") == "bob"
    assert login_of("carol.ipynb") == "carol"


def test_roster_errors_are_clear(tmp_path):
    from nncourse.grading.export import match, read_roster

    bad = tmp_path / "bad.csv"
    bad.write_text("name,id\nA,1\n")
    with pytest.raises(ValueError, match="needs a 'login' column"):
        read_roster(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("login\nann\nAnn\n")
    with pytest.raises(ValueError, match="twice"):
        read_roster(twice)
    good = tmp_path / "good.csv"
    good.write_text("Login,Email\nann,ann@x.org\n")
    roster = read_roster(good)
    with pytest.raises(ValueError, match="two submissions belong to 'ann'"):
        match(["ann__a.ipynb", "ann/b.ipynb"], roster)


def test_merge_row_replaces_or_inserts_and_keeps_other_lines(tmp_path):
    from nncourse.grading.results import merge_row

    header = "submission,q1,total\n"
    old = header + 'a.ipynb,1,1\n"b, c.ipynb",0,0\nd.ipynb,2,2\n'
    gradebook = tmp_path / "gb.csv"
    gradebook.write_text(old)
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(header + '"b, c.ipynb",2,2\n')
    assert merge_row(gradebook, fresh) == "b, c.ipynb"
    assert gradebook.read_text() == header + 'a.ipynb,1,1\n"b, c.ipynb",2,2\nd.ipynb,2,2\n'
    fresh.write_text(header + "c.ipynb,1,1\n")
    merge_row(gradebook, fresh)
    assert gradebook.read_text().splitlines()[3] == "c.ipynb,1,1"
    fresh.write_text("submission,q1,q2,total\nx.ipynb,1,1,2\n")
    with pytest.raises(ValueError, match="other columns"):
        merge_row(gradebook, fresh)


def test_summary_of_a_planted_record():
    """Hand-derived: 4 files, q1 worth 2 scored 2, 1, 0, 2 (mean 1.25, half with full marks)."""
    from nncourse.grading.summary import summarize, to_csv

    def sub(p, mistakes):
        return {"total": p, "max": 2, "status": "ok", "points": {"q1": p, "q2": None},
                "mistakes": {"q1": mistakes} if mistakes else {}, "full": {"q1": p == 2}}

    record = {
        "questions": [{"id": "q1", "title": "T", "points": 2, "kind": "function"},
                      {"id": "q2", "title": "W", "points": 2, "kind": "manual"}],
        "submissions": {"a": sub(2, []), "b": sub(1, ["sign error", "shape wrong"]), "c": sub(0, ["sign error"]),
                        "d": sub(2, [])},
    }
    q1, q2, total = summarize(record)
    assert (q1.mean, q1.full_share, q1.mistakes) == (1.25, 0.5, [("sign error", 2), ("shape wrong", 1)])
    assert q2.mean is None and total.mean == 1.25
    assert "q1,T,2,4,1.25,0.5,sign error (2); shape wrong (1)" in to_csv([q1, q2, total])


def test_report_escapes_and_hides_hidden_details():
    from nncourse.grading.details import CaseResult, QuestionResult
    from nncourse.grading.grade import Row
    from nncourse.grading.report import render

    q = QuestionResult("q1", "T", "function", 1.0, 2.0,
                       public=[CaseResult("error", "your code raised ValueError: <script>x</script>")],
                       hidden={"pass": 1, "error": 2}, hidden_mistakes=[])
    page = render("<b>x</b>.ipynb", "06", "Title", Row("x", {"q1": 1.0}, 1.0, 2.0, "ok", "", ""), [q],
                  ["code cell 1 raised E: <iframe>"])
    assert "<script>" not in page and "<iframe>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;" in page and "hidden tests: 1 of 3 passed (2 raised an error)" in page
    assert "Content-Security-Policy" in page and "<script" not in page.lower()


def test_cell_messages_are_withheld_after_a_replay_that_followed_the_hidden_inputs():
    """If a probe killed the kernel, the replayed notebook could have read the hidden inputs back
    (from a file its answer wrote) into an exception: then only "raised an error" is shown."""
    from nncourse.grading import runner
    from nncourse.grading.details import KILLED_IN_PROBE, run_notes
    from nncourse.grading.runner import RunResult

    assert f'probe_problems[where] = "{KILLED_IN_PROBE}"' in Path(runner.__file__).read_text()  # the same words

    notes = ["code cell 3 raised ValueError: [[0.123, 0.456]]", "code cell 4 timed out after 5 s and was interrupted"]
    assert run_notes(RunResult(notes=list(notes))) == notes
    replayed = run_notes(RunResult(notes=list(notes), probe_problems={"q4": KILLED_IN_PROBE}))
    assert replayed[0] == "code cell 3 raised an error (withheld: the notebook was replayed after a crash)"
    assert replayed[1] == notes[1]
