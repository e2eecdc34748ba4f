"""The class summary for the instructor: per question, how the class did and which mistakes it made.

``summarize(details)`` (the ``_details.json`` record of a grading run, ``results.py``) gives one
line per question: its points, the mean score over every graded file (unreadable and refused
files count as 0), the share of files with full marks, and the named mistakes with the number
of files in which each was recognised (a file counts once per mistake and question, public and
hidden cases together), most common first. ``nncourse grade`` prints it and writes
``<gradebook stem>_summary.csv`` and ``<gradebook stem>_summary.md``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

SHOWN_MISTAKES = 3  # in the printed and markdown summaries; the CSV lists them all


@dataclass
class QuestionSummary:
    """How the class did on one question (``mean`` and ``full_share`` are None for a written answer)."""

    id: str
    title: str
    points: float
    n: int
    mean: float | None
    full_share: float | None
    mistakes: list[tuple[str, int]] = field(default_factory=list)


def summarize(details: dict) -> list[QuestionSummary]:
    """One ``QuestionSummary`` per question of the section, plus ``total`` last."""
    subs = list(details["submissions"].values())
    n = len(subs)
    out = []
    for q in details["questions"]:
        if q["kind"] == "manual":
            out.append(QuestionSummary(q["id"], q["title"], q["points"], n, None, None))
            continue
        scores = [s["points"].get(q["id"]) or 0.0 for s in subs]
        full = sum(bool(s["full"].get(q["id"])) for s in subs)
        counts = Counter(m for s in subs for m in s["mistakes"].get(q["id"], []))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(QuestionSummary(q["id"], q["title"], q["points"], n, _mean(scores), full / n if n else None, ranked))
    totals = [s["total"] for s in subs]
    possible = sum(q["points"] for q in details["questions"] if q["kind"] != "manual")
    full = sum(s["total"] >= possible for s in subs)
    out.append(QuestionSummary("total", "automatic points", possible, n, _mean(totals), full / n if n else None))
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _fmt(x: float | None, percent: bool = False) -> str:
    if x is None:
        return ""
    return f"{100 * x:.0f}%" if percent else f"{x:g}"


def _mistakes(q: QuestionSummary, limit: int | None = None) -> str:
    shown = q.mistakes if limit is None else q.mistakes[:limit]
    more = f"; {len(q.mistakes) - len(shown)} more" if len(shown) < len(q.mistakes) else ""
    return "; ".join(f"{name} ({count})" for name, count in shown) + more


def to_csv(summary: list[QuestionSummary]) -> str:
    """``question,title,points,submissions,mean,full_marks,mistakes`` (full_marks: share 0..1; mistakes:
    ``name (count); ...``, all of them, most common first)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["question", "title", "points", "submissions", "mean", "full_marks", "mistakes"])
    for q in summary:
        share = "" if q.full_share is None else f"{q.full_share:.4g}"
        writer.writerow([q.id, q.title, f"{q.points:g}", q.n, _fmt(q.mean), share, _mistakes(q)])
    return buf.getvalue()


def to_markdown(summary: list[QuestionSummary], section: str, title: str) -> str:
    """A markdown table of the summary (the most common mistakes of each question)."""
    n = summary[-1].n if summary else 0
    lines = [
        f"# Exercise {section}: {title}: class summary",
        "",
        f"{n} graded file(s). Mean points, share with full marks, and the mistakes recognised "
        "(number of files), most common first.",
        "",
        "| question | points | mean | full marks | most common mistakes |",
        "| --- | --- | --- | --- | --- |",
    ]
    for q in summary:
        mean = "marked by hand" if q.mean is None else _fmt(q.mean)
        mistakes = _mistakes(q, SHOWN_MISTAKES).replace("|", "\\|")
        lines.append(f"| {q.id}: {q.title} | {q.points:g} | {mean} | {_fmt(q.full_share, True)} | {mistakes} |")
    return "\n".join(lines) + "\n"


def to_text(summary: list[QuestionSummary]) -> list[str]:
    """The summary as lines for the terminal."""
    lines = ["per question: mean points / points, share with full marks, most common mistakes (files)"]
    for q in summary:
        if q.mean is None:
            lines.append(f"  {q.id:6} marked by hand ({q.points:g} points)")
            continue
        mistakes = _mistakes(q, SHOWN_MISTAKES)
        lines.append(
            f"  {q.id:6} {q.mean:6g} / {q.points:<4g} {_fmt(q.full_share, True):>5} full"
            + (f"  {mistakes}" if mistakes else "")
        )
    return lines
