"""Gradebook exports for learning-management systems: Canvas and Moodle CSV, with an optional roster.

Who a submission belongs to (its *login*) comes from its path in the submissions folder:

- ``alice/anything.ipynb`` (a folder per learner): ``alice``;
- ``alice__06_worked_example.ipynb`` (login, two underscores, anything): ``alice``;
- otherwise the file name without ``.ipynb``.

A roster (``--roster roster.csv``) maps logins to the identities an LMS knows. Its header names
its columns (any order, case-insensitive); only ``login`` is required::

    login,name,id,sis_user_id,sis_login_id,section,email,username,file

``file`` (optional) is a submission's exact path in the folder, for files named otherwise.

Canvas (``--format canvas``, ``<gradebook stem>_canvas.csv``), the layout of Canvas's own
gradebook export, which its "Import" reads back: columns ``Student, ID, SIS User ID, SIS Login
ID, Section`` and one assignment column (default ``Exercise NN <title>``: a name with no
``(number)`` at its end makes Canvas create a new assignment; ``--assignment "Exercise 06
(12345)"`` targets the existing assignment 12345); the second row is ``Points Possible``.
Canvas matches a row to a learner by ``ID``, ``SIS User ID`` or ``SIS Login ID``.

Moodle (``--format moodle``, ``<gradebook stem>_moodle.csv``), for "Import > CSV file": columns
``Username, ID number, Email address, Full name`` and one grade column. When importing, map
"Identify user by" to the column your roster filled (Username, ID number or Email address)
and the grade column to the grade item.

Learners on the roster without a submission get an empty grade (Canvas and Moodle leave those
unchanged); the command lists them. Submissions matching no roster entry are exported under
their login and listed too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .files import write_atomic
from .grade import clean

ROSTER_COLUMNS = ("login", "name", "id", "sis_user_id", "sis_login_id", "section", "email", "username", "file")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Username", "ID number", "Email address", "Full name"]


@dataclass
class Learner:
    """One roster entry (empty strings where the roster says nothing)."""

    login: str
    name: str = ""
    id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    username: str = ""
    file: str = ""


def login_of(submission: str) -> str:
    """The login a submission path belongs to (see the module docstring)."""
    parts = submission.split("/")
    if len(parts) > 1:
        return parts[0]
    stem = parts[0][: -len(".ipynb")] if parts[0].endswith(".ipynb") else parts[0]
    return stem.split("__", 1)[0] if "__" in stem else stem


def read_roster(path: Path) -> list[Learner]:
    """The roster CSV at ``path``; a clear error if it has no ``login`` column or repeats a login."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        if "login" not in header:
            raise ValueError(
                f"the roster {path} needs a 'login' column (its header is {reader.fieldnames}); columns it may "
                f"have: {', '.join(ROSTER_COLUMNS)}"
            )
        learners = []
        for row in reader:
            values = {k: (row.get(header[k]) or "").strip() for k in ROSTER_COLUMNS if k in header}
            if values.get("login"):
                learners.append(Learner(**values))
    seen: set[str] = set()
    for learner in learners:
        if learner.login.lower() in seen:
            raise ValueError(f"the roster {path} lists the login {learner.login!r} twice")
        seen.add(learner.login.lower())
    return learners


def match(submissions: list[str], roster: list[Learner]) -> tuple[dict[str, Learner], list[str], list[Learner]]:
    """(learner of each submission, submissions not on the roster, roster entries without a submission).

    A submission matches the roster entry whose ``file`` is its path, else whose ``login`` is its login
    (case-insensitive). Two submissions for one learner are an error (remove one, or regrade with --only)."""
    by_file = {r.file: r for r in roster if r.file}
    by_login = {r.login.lower(): r for r in roster}
    owner: dict[str, Learner] = {}
    unknown: list[str] = []
    for name in submissions:
        learner = by_file.get(name) or by_login.get(login_of(name).lower())
        if learner is None:
            unknown.append(name)
            learner = Learner(login=login_of(name), name=login_of(name))
        owner[name] = learner
    taken: dict[str, str] = {}
    for name, learner in owner.items():
        key = learner.login.lower()
        if key in taken:
            raise ValueError(
                f"two submissions belong to {learner.login!r}: {taken[key]!r} and {name!r}. Keep one in the "
                "folder (or name them after different logins) and export again."
            )
        taken[key] = name
    missing = [r for r in roster if r.login.lower() not in taken]
    return owner, unknown, missing


def _cell(text: str) -> str:
    return clean(text)


def canvas_csv(totals: dict[str, float], owner: dict[str, Learner], missing: list[Learner], column: str,
               possible: float) -> str:
    """The Canvas import CSV text (see the module docstring); ``totals``: points by submission."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, column])
    writer.writerow(["Points Possible", "", "", "", "", f"{possible:g}"])
    entries = [(owner[n], f"{totals[n]:g}") for n in totals] + [(m, "") for m in missing]
    for learner, points in sorted(entries, key=lambda e: (e[0].name or e[0].login).lower()):
        sis_login = learner.sis_login_id or ("" if (learner.id or learner.sis_user_id) else learner.login)
        ids = [learner.name or learner.login, learner.id, learner.sis_user_id, sis_login, learner.section]
        writer.writerow([*(_cell(x) for x in ids), points])
    return buf.getvalue()


def moodle_csv(totals: dict[str, float], owner: dict[str, Learner], missing: list[Learner], column: str) -> str:
    """The Moodle grade-import CSV text (see the module docstring)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*MOODLE_COLUMNS, column])
    entries = [(owner[n], f"{totals[n]:g}") for n in totals] + [(m, "") for m in missing]
    for learner, points in sorted(entries, key=lambda e: e[0].login.lower()):
        ids = [learner.username or learner.login, learner.id, learner.email, learner.name]
        writer.writerow([*(_cell(x) for x in ids), points])
    return buf.getvalue()


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a temp file in the same folder, then a rename)."""
    return write_atomic(path, text)


def export(fmt: str, out: Path, totals: dict[str, float], roster: list[Learner], column: str,
           possible: float) -> tuple[Path, list[str], list[Learner]]:
    """Write ``<out stem>_<fmt>.csv``: (its path, submissions not on the roster, learners without one)."""
    owner, unknown, missing = match(sorted(totals), roster)
    if fmt == "canvas":
        text = canvas_csv(totals, owner, missing, column, possible)
    elif fmt == "moodle":
        text = moodle_csv(totals, owner, missing, column)
    else:
        raise ValueError(f"unknown export format {fmt!r}: choose canvas or moodle")
    path = write_text(out.with_name(f"{out.stem}_{fmt}.csv"), text)
    return path, (unknown if roster else []), missing
