"""Hostile submissions, graded through the real `nncourse grade` under the default sandbox.

One module-scoped run grades a folder of attacks on section 06 (2 kernels at a
time) followed by an honest solution and an unfilled notebook, then every test
checks that one attack was contained: nothing outside the kernel's scratch folder
changed, no answer reached the kernel, the run finished, and the gradebook is clean.
Resource attacks are bounded: one 3 GB array under a 2 GB cap, 300 processes under
a cap of 64; never a real fork or memory bomb.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_grading import (
    AUTO,
    FORGER,
    FULL,
    SOURCE,
    STUDENT,
    WRONG_FUNCTIONS,
    run_grade,
    snapshot,
    snapshot_env,
    submission,
)

from nncourse.grading import integrity, sandbox

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))
SLEEP_DAEMON = "537.125"  # a unique `sleep` argument, to find leftovers
SLEEP_MANY = "29.0625"


def _stub(*cells: str) -> str:
    """The unfilled student notebook with ``cells`` appended."""
    return submission(extra=list(cells), at=10**6, filled=False)


def attacks(base: Path, subs: Path, out: Path, course: Path) -> dict[str, str]:
    """File name -> notebook text. Paths are absolute, as an attacker who knows the layout would write them."""
    PACKAGE = course / "nncourse"  # noqa: N806
    SOURCE = course / "exercises" / "source" / "06_worked_example.ipynb"  # noqa: N806
    ipython = Path.home() / ".ipython" / "profile_default" / "startup" / "00-pwn.py"
    kernelspec = ROOT / ".venv" / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    marker = base / "daemon-was-here"
    tamper = f"""
import os, glob
done = []
targets = {{
    "site": {str(SITE / "zz_pwn.pth")!r},
    "numpy": {str(SITE / "numpy" / "__init__.py")!r},
    "package": {str(PACKAGE / "grading" / "judge.py")!r},
    "pyc": {str(PACKAGE / "grading" / "__pycache__" / "judge.cpython-311.pyc")!r},
    "ipython": {str(ipython)!r},
    "kernelspec": {str(kernelspec)!r},
    "other": {str(subs / "z_correct.ipynb")!r},
    "gradebook": {str(out)!r},
}}
for key, path in targets.items():
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write("\\nimport os; os.system('touch /tmp/pwned')\\n")
        done.append(key)
    except OSError:
        pass
for path in glob.glob("/tmp/nncourse-grade-*/*.ipynb"):
    try:
        open(path, "a").write("x")
        done.append(path)
    except OSError:
        pass
raise RuntimeError(f"tampered={{done}}")
"""
    read = f"""
found = []
try:
    import nncourse.grading.questions.s06 as s06
    forward, backprop, output_layer_grads = s06.forward, s06.backprop, s06.output_layer_grads
    found.append("questions")
except ImportError:
    pass
import json
try:
    for c in json.load(open({str(SOURCE)!r}))["cells"]:
        if c.get("metadata", {{}}).get("nncourse", {{}}).get("role") == "solution":
            exec("".join(c["source"]))
    found.append("source")
except OSError:
    pass
raise RuntimeError(f"read={{found}}")
"""
    transformer = r"""
import re
def _forge(lines):
    text = "".join(lines)
    tag = re.search(r"@@nncourse-probe@@[0-9a-f]{32}", text)
    q = re.search(r'\\"q\\": \\"(q\d)\\"', text)
    if not tag or not q:
        return lines
    fake = {"q": q.group(1), "outcomes": [{"value": 1.0}] * 12}
    return [f"print({tag.group(0)!r} + {json.dumps(fake)!r})\n"]
import json
get_ipython().input_transformers_cleanup.append(_forge)
"""
    patches = r"""
import builtins, json, sys, re
_real_print = builtins.print
def print(*args, **kw):  # noqa: A001
    text = " ".join(map(str, args))
    tag = re.match(r"@@nncourse-probe@@[0-9a-f]{32}", text)
    if tag:
        data = json.loads(text[len(tag.group(0)):])
        data["outcomes"] = [{"value": 1.0} for _ in data["outcomes"]]
        text = tag.group(0) + json.dumps(data)
    _real_print(text, **kw)
builtins.print = print
json.dumps = lambda *a, **k: '{"q": "q1", "outcomes": []}'
class W:
    def __init__(self, s): self.s = s
    def write(self, t): return self.s.write(t.replace('"value": ', '"value": 1.0, "x": '))
    def flush(self): self.s.flush()
sys.stdout = W(sys.stdout)
"""
    daemon = f"""
import os, subprocess
subprocess.Popen(["sh", "-c", "sleep {SLEEP_DAEMON}; echo pwned > {marker}; echo x >> {out}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        # the same long sleep, so a survivor is still running (and found) when grading ends
        os.execvp("sh", ["sh", "-c", "sleep {SLEEP_DAEMON}; echo pwned > {marker}; echo pwned,1000 >> {out}"])
    os._exit(0)
"""
    many = f"""
import subprocess
started = 0
procs = []
for i in range(300):
    try:
        procs.append(subprocess.Popen(["sleep", "{SLEEP_MANY}"]))
        started += 1
    except OSError:
        break
raise RuntimeError(f"started={{started}}")
"""
    where = (
        'import os\nraise RuntimeError(f"pid={os.getpid()} ppid={os.getppid()} '
        "sandbox={os.environ.get('NNCOURSE_SANDBOX')} home={os.environ.get('HOME')}\")"
    )
    return {
        "a_tamper.ipynb": _stub(tamper),
        "a_read_answers.ipynb": _stub(read),
        "a_forge_transformer.ipynb": _stub(transformer),
        "a_forge_patches.ipynb": _stub(patches),
        "a_forge_hooks.ipynb": _stub(WRONG_FUNCTIONS + FORGER),
        "a_sigstop_self.ipynb": submission(extra=["import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)"]),
        "a_sigstop_parent.ipynb": submission(extra=["import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)"]),
        "a_kill_everything.ipynb": submission(
            extra=["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)"]
        ),
        "a_daemon.ipynb": submission(extra=[daemon]),
        "a_memory.ipynb": submission(extra=["import numpy as np\nbig = np.ones(3 * 2**30 // 8)"]),
        "a_processes.ipynb": submission(extra=[many]),
        "a_huge_error.ipynb": submission(extra=["raise ValueError('=cmd|' + 'x' * 10**6)"]),
        "a_where_am_i.ipynb": submission(extra=[where]),
        '=HYPERLINK("evil.example","click").ipynb': submission(),
        "\x1b[31mred\x07\u202eevil.ipynb": submission(),
    }


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"no grading sandbox here: {why}")
    base = tmp_path_factory.mktemp("attacks")
    subs, out = base / "submissions", base / "out" / "gradebook.csv"
    subs.mkdir()
    out.parent.mkdir()
    course = snapshot(base / "course")
    for name, text in attacks(base, subs, out, course).items():
        (subs / name).write_text(text)
    (subs / "z_correct.ipynb").write_text(submission())
    (subs / "z_unfilled.ipynb").write_text(STUDENT.read_text())
    source = course / "exercises" / "source" / SOURCE.name
    (subs / "link_to_source.ipynb").symlink_to(source)
    (subs / "linked_folder").symlink_to(source.parent, target_is_directory=True)
    os.mkfifo(subs / "pipe.ipynb")
    env = snapshot_env(course)
    check = [sys.executable, "-c", "import nncourse, sys; sys.stdout.write(nncourse.__file__)"]
    assert subprocess.run(check, env=env, cwd=course, capture_output=True, text=True).stdout.startswith(str(course))
    fingerprint = [
        sys.executable,
        "-c",
        "import json, sys; from pathlib import Path; from nncourse.grading import integrity; "
        "print(json.dumps(integrity.fingerprint([Path(sys.argv[1])])))",
        str(source),
    ]
    before_env = subprocess.run(fingerprint, env=env, cwd=course, capture_output=True, text=True, check=True).stdout
    before_subs = digest(subs)
    start = time.perf_counter()
    proc = run_grade(
        [sys.executable, "-m", "nncourse.course.cli", "grade", "06", str(subs), "-o", str(out)]
        + ["--cell-timeout", "5", "--timeout", "45", "--no-progress"],
        timeout=1200,
        env=env,
        cwd=course,
    )
    seconds = time.perf_counter() - start
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    rows = {r["submission"]: r for r in csv.DictReader(text.splitlines())}
    print(f"\ngraded {len(rows)} hostile submissions in {seconds:.1f} s")
    return {
        "proc": proc,
        "rows": rows,
        "text": text,
        "base": base,
        "out": out,
        "before_env": before_env,
        "after_env": subprocess.run(
            fingerprint, env=env, cwd=course, capture_output=True, text=True, check=True
        ).stdout,
        "before_subs": before_subs,
        "after_subs": digest(subs),
    }


def row(attacked, name: str) -> dict:
    return attacked["rows"][name]


def total(attacked, name: str) -> float:
    return float(row(attacked, name)["total"])


@pytest.mark.slow
def test_the_run_completes_and_every_file_has_a_row(attacked):
    proc = attacked["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sandbox: bubblewrap" in proc.stderr
    assert len(attacked["rows"]) == 20, sorted(attacked["rows"])  # 15 attacks, 2 honest, 3 refused


@pytest.mark.slow
def test_honest_notebooks_graded_after_the_attacks_are_unaffected(attacked):
    assert total(attacked, "z_correct.ipynb") == FULL and row(attacked, "z_correct.ipynb")["notes"] == ""
    assert total(attacked, "z_unfilled.ipynb") == 0
    assert "not attempted yet" in row(attacked, "z_unfilled.ipynb")["notes"]


@pytest.mark.slow
def test_no_persistent_tampering(attacked):
    """site-packages, the package and its bytecode, IPython startup, kernel specs, the source."""
    note = row(attacked, "a_tamper.ipynb")["notes"]
    assert "tampered=[]" in note, note
    before, after = (json.loads(attacked[k]) for k in ("before_env", "after_env"))
    assert len(before) > 1000 and integrity.changes(before, after) == []
    assert not (Path.home() / ".ipython" / "profile_default" / "startup" / "00-pwn.py").exists()
    assert not (SITE / "zz_pwn.pth").exists()


@pytest.mark.slow
def test_other_submissions_and_the_gradebook_are_untouched(attacked):
    assert attacked["after_subs"] == attacked["before_subs"]
    text = attacked["text"]
    assert "pwned" not in text and "1000" not in text
    assert not (attacked["base"] / "daemon-was-here").exists()


@pytest.mark.slow
def test_the_kernel_runs_inside_the_sandbox(attacked):
    note = row(attacked, "a_where_am_i.ipynb")["notes"]
    assert "sandbox=1" in note and "pid=2 " in note and "ppid=1 " in note, note
    assert "home=/tmp/nncourse-grade-" in note, note


@pytest.mark.slow
def test_the_answers_cannot_be_read_from_the_kernel(attacked):
    note = row(attacked, "a_read_answers.ipynb")["notes"]
    assert "read=[]" in note, note
    assert total(attacked, "a_read_answers.ipynb") == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a_forge_transformer.ipynb", "a_forge_patches.ipynb", "a_forge_hooks.ipynb"])
def test_forged_probe_output_scores_nothing(attacked, name):
    r = row(attacked, name)
    assert {q: float(r[q]) for q in AUTO} == dict.fromkeys(AUTO, 0.0), r


@pytest.mark.slow
def test_stopping_itself_or_its_parent_does_not_stall_the_run(attacked):
    stopped = row(attacked, "a_sigstop_self.ipynb")
    assert stopped["status"] in ("timeout", "ok", "kernel-died"), stopped
    parent = row(attacked, "a_sigstop_parent.ipynb")
    assert float(parent["total"]) == FULL and parent["status"] == "ok", parent  # its parent is the sandbox's init


@pytest.mark.slow
def test_killing_its_parent_and_everything_it_can_see_hurts_no_one_else(attacked):
    r = row(attacked, "a_kill_everything.ipynb")
    assert r["status"] != "grader-error", r
    assert all(x["status"] != "grader-error" for x in attacked["rows"].values())


@pytest.mark.slow
def test_daemons_die_with_their_kernel(attacked):
    import psutil

    left = [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and SLEEP_DAEMON in p.info["cmdline"][-1] + " ".join(p.info["cmdline"])
    ]
    assert not left
    assert not (attacked["base"] / "daemon-was-here").exists()
    assert float(row(attacked, "a_daemon.ipynb")["total"]) == FULL


@pytest.mark.slow
def test_memory_is_capped(attacked):
    r = row(attacked, "a_memory.ipynb")
    assert "MemoryError" in r["notes"] or r["status"] == "kernel-died", r
    assert float(r["total"]) == FULL  # the rest of the notebook still ran


@pytest.mark.slow
def test_processes_are_capped(attacked):
    import psutil

    note = row(attacked, "a_processes.ipynb")["notes"]
    started = int(note.split("started=")[1].split()[0].rstrip(",|"))
    cap = sandbox.Limits().processes
    if "NOT capped" in sandbox.process_cap(sandbox.Limits()):
        pytest.skip("no process cap on this host (root without a writable pids cgroup)")
    assert started < cap <= 300, note
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", SLEEP_MANY]]


@pytest.mark.slow
def test_gradebook_texts_are_cleaned(attacked):
    text = attacked["text"]
    assert not any(ch in text for ch in "\x1b\x07\u202e\r")
    rows = list(csv.reader(text.splitlines()))
    for r in rows[1:]:
        for cell in r:
            assert cell[:1] not in ("=", "+", "-", "@"), cell
            assert len(cell) <= 2000
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("evil.example","click").ipynb' in names
    assert "[31mredevil.ipynb" in names
    huge = row(attacked, "a_huge_error.ipynb")["notes"]
    assert "raised ValueError" in huge and len(huge) < 1000
    assert float(row(attacked, "a_huge_error.ipynb")["total"]) == FULL


@pytest.mark.slow
def test_symlinks_and_fifos_are_refused_unread(attacked):
    for name in ("link_to_source.ipynb", "linked_folder", "pipe.ipynb"):
        r = row(attacked, name)
        assert r["status"] == "refused" and float(r["total"]) == 0, r


# -- without kernels ------------------------------------------------------------------------------


def test_grading_refuses_to_run_without_a_sandbox(monkeypatch, tmp_path, capsys):
    import argparse

    from nncourse.grading import commands

    monkeypatch.setattr(sandbox, "available", lambda: (False, "bwrap is not installed. " + sandbox.HOW_TO_GET))
    parser = argparse.ArgumentParser()
    run = commands.grade_command(parser)
    code = run(parser.parse_args(["06", str(tmp_path), "-o", str(tmp_path / "g.csv")]))
    err = capsys.readouterr().err
    assert code == 2 and "refusing to grade without a sandbox" in err and "apt-get install bubblewrap" in err
    assert not (tmp_path / "g.csv").exists()


def test_no_sandbox_warns_every_run(tmp_path):
    from nncourse.grading.grade import grade

    (tmp_path / "subs").mkdir()
    for _ in range(2):
        with pytest.warns(UserWarning, match="WITHOUT a sandbox"):
            grade("06", tmp_path / "subs", tmp_path / "g.csv", sandboxed=False, progress=False)


def test_clean_escapes_formulas_and_strips_control_characters():
    from nncourse.grading.grade import clean

    assert clean("=1+2") == "'=1+2" and clean("+1") == "'+1" and clean("-x") == "'-x" and clean("@SUM") == "'@SUM"
    assert clean("\t=x") == " =x" and clean("\r=x") == " =x"  # a tab or CR cannot start a formula
    assert clean("a\x1b[1mb\x00c\u202ed") == "a[1mbcd"
    assert clean("line\nbreak") == "line break"
    assert len(clean("x" * 10_000)) == 300


def test_a_changed_environment_stops_grading_and_names_the_submission(tmp_path):
    """Without the sandbox (so that tampering can happen), a notebook that adds a file to the
    submissions folder stops the run; the gradebook keeps only rows graded before."""
    from nncourse.grading.grade import TaintedEnvironment, grade

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a_ok.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (subs / "b_evil.ipynb").write_text(_stub(f"open({str(subs / 'c_planted.ipynb')!r}, 'w').write('{{}}')"))
    with pytest.warns(UserWarning), pytest.raises(TaintedEnvironment, match="b_evil.ipynb"):
        grade("06", subs, tmp_path / "g.csv", jobs=1, sandboxed=False, progress=False, cell_timeout=5)
    text = (tmp_path / "g.csv").read_text()
    assert "a_ok.ipynb" in text and "b_evil" not in text
