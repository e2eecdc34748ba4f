"""Feedback reports: one self-contained HTML page per graded submission (``nncourse grade --feedback DIR``).

A page shows the submission's points per question; for each PUBLIC case that failed, the
mistake recognised and what to change (or the check's message); for the HIDDEN cases only
how many passed, failed, raised or timed out, and the names of the mistakes recognised
(``details.py`` keeps nothing else of them); the cells that raised or timed out while the
notebook ran; and the question's hints when points were lost.

Everything that comes from a submission (its file name, messages, exception names and texts)
is HTML-escaped and truncated. The page has inline CSS only, no script and no external
resource, and a Content-Security-Policy that forbids both, so it opens offline anywhere.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from .details import QuestionResult
from .files import write_atomic
from .grade import MAX_TEXT, Row, clean

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem}
.meta{color:#555;margin-top:0}.total{font-size:1.3rem;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.8rem 0}th,td{border:1px solid #ccc;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}
.pass{color:#11652a}.fail{color:#a1161b}.manual{color:#555}
section.q{border-left:4px solid #ccc;padding:.1rem .9rem;margin:1rem 0}section.q.full{border-color:#2e8b57}
section.q.lost{border-color:#c0392b}code{background:#f4f4f4;padding:0 .2rem;overflow-wrap:anywhere}
li{margin:.25rem 0;overflow-wrap:anywhere}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"
STATUS_WORDS = {
    "pass": "passed",
    "wrong": "gave a wrong answer",
    "error": "raised an error",
    "timeout": "ran past the time limit",
    "not_attempted": "not attempted",
    "missing": "answer not defined",
}


def esc(text: object, limit: int = MAX_TEXT) -> str:
    """A submission-controlled text, cleaned (``grade.clean``: no control characters, truncated) and HTML-escaped."""
    return html.escape(clean(text, limit), quote=True)


def report_name(submission: str) -> str:
    """The report's file name for a submission path, e.g. ``renamed/Jane Doe.ipynb`` ->
    ``renamed__Jane_Doe-<6 hex digits>.html`` (the digits, from the path, keep names unique)."""
    stem = submission[: -len(".ipynb")] if submission.endswith(".ipynb") else submission
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace("/", "__")).strip("._-") or "submission"
    return f"{safe[:120]}-{hashlib.sha256(submission.encode()).hexdigest()[:6]}.html"


def _points(q: QuestionResult) -> str:
    if q.kind == "manual":
        return f"– / {q.max_points:g}"
    return f"{(q.points or 0):g} / {q.max_points:g}"


def _overview(questions: list[QuestionResult]) -> list[str]:
    rows = ["<table><tr><th>question</th><th>points</th><th>public tests</th><th>hidden tests</th></tr>"]
    for q in questions:
        if q.kind == "manual":
            public = hidden = '<span class="manual">marked by your instructor</span>'
        else:
            public = f"{q.public_passed} / {len(q.public)}" if q.public else "–"
            hidden = f"{q.hidden_passed} / {q.hidden_total}" if q.hidden_total else "–"
        rows.append(
            f"<tr><td>{esc(q.id)}: {esc(q.title)}</td><td class=\"num\">{_points(q)}</td>"
            f"<td class=\"num\">{public}</td><td class=\"num\">{hidden}</td></tr>"
        )
    return rows + ["</table>"]


def _public_items(q: QuestionResult) -> list[str]:
    items = []
    for i, c in enumerate(q.public, 1):
        if c.status == "pass":
            continue
        label = f"<strong>{esc(c.mistake)}</strong>: " if c.mistake else ""
        prefix = f"{c.mistake}: "
        message = c.message[len(prefix) :] if c.mistake and c.message.startswith(prefix) else c.message
        items.append(
            f"<li>public test {i} {STATUS_WORDS.get(c.status, esc(c.status))}: {label}{esc(message, 1000)}</li>"
        )
    return items


def _hidden_items(q: QuestionResult) -> list[str]:
    if not q.hidden_total:
        return []
    counts = ", ".join(
        f"{n} {STATUS_WORDS.get(status, esc(status))}" for status, n in sorted(q.hidden.items()) if status != "pass"
    )
    line = f"<li>hidden tests: {q.hidden_passed} of {q.hidden_total} passed" + (f" ({counts})" if counts else "")
    if q.hidden_mistakes:
        line += "; mistakes recognised: " + ", ".join(f"<strong>{esc(m)}</strong>" for m in q.hidden_mistakes)
    return [line + "</li>"]


def _question_section(q: QuestionResult) -> list[str]:
    if q.kind == "manual":
        return []
    state = "full" if q.full_marks else "lost"
    out = [f'<section class="q {state}"><h2>{esc(q.id)}: {esc(q.title)} — {_points(q)} points</h2>']
    if q.problem:
        out.append(f'<p class="fail">No answer came back: {esc(q.problem)}.</p>')
    items = _public_items(q) + _hidden_items(q)
    if q.full_marks:
        out.append('<p class="pass">All tests passed.</p>')
    elif items:
        out += ["<ul>", *items, "</ul>"]
    if not q.full_marks and q.hints:
        out += ["<details><summary>Hints</summary><ol>", *[f"<li>{esc(h, 2000)}</li>" for h in q.hints], "</ol>"]
        out.append("</details>")
    return out + ["</section>"]


def render(
    submission: str, section: str, title: str, row: Row, questions: list[QuestionResult], notes: list[str]
) -> str:
    """The report page (a complete HTML document) for one submission."""
    manual = sum(q.max_points for q in questions if q.kind == "manual")
    aside = f" (+ {manual:g} points for written answers, marked by your instructor)" if manual else ""
    body = [
        f"<h1>Exercise {esc(section)}: {esc(title)}</h1>",
        f'<p class="meta">Feedback on <code>{esc(submission)}</code></p>',
        f'<p class="total">Total: {row.total:g} / {row.max_points:g} points{aside}</p>',
        *_overview(questions),
    ]
    if row.status != "ok" or notes:
        body.append(f"<h2>While your notebook ran (status: {esc(row.status)})</h2><ul>")
        body += [f"<li>{esc(n)}</li>" for n in notes] or ["<li>see the questions below</li>"]
        body.append("</ul>")
    for q in questions:
        body += _question_section(q)
    body.append(
        '<p class="meta">Hidden tests use inputs you have not seen: only how many passed and the mistakes '
        "recognised are shown. Points per question = its points × the share of its tests (public and hidden) "
        "that pass.</p>"
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Feedback: exercise {esc(section)}, {esc(submission)}</title><style>{CSS}</style></head>"
    )
    return head + "<body>\n" + "\n".join(body) + "\n</body></html>\n"


def write(folder: Path, submission: str, page: str) -> Path:
    """Write ``page`` as ``folder/report_name(submission)`` atomically; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / report_name(submission), page)
