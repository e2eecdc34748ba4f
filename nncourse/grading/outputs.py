"""Everything ``nncourse grade`` writes besides the gradebook: feedback pages, exports, the summary.

``Outputs(section, gradebook, ...)`` is handed to ``grade.grade`` as its ``on_result``: as each
submission is graded it works out the case-by-case breakdown (``details.py``) and, with
``--feedback DIR``, writes that submission's page (``report.py``). ``finish()`` then writes
``<stem>_details.json`` (``results.py``), the exports asked for (``export.py``) and the class
summary (``summary.py``), and returns the lines to print.

With ``--only`` (``only=True``) the details of the other submissions are read from the earlier
run's ``_details.json`` and kept; the exports and the summary are rebuilt from all of them.
"""

from __future__ import annotations

from pathlib import Path

from . import details, export, report, results, summary
from .grade import Row, resolve
from .probe import all_cases
from .runner import RunResult
from .spec import bank


class Outputs:
    """Feedback, exports and summary of one ``nncourse grade`` run (see the module docstring)."""

    def __init__(
        self,
        section_or_source: str,
        gradebook: Path,
        feedback: Path | None = None,
        formats: list[str] = (),
        roster: Path | None = None,
        assignment: str | None = None,
        only: bool = False,
    ) -> None:
        from ..course import outline

        self.section, source = resolve(section_or_source)
        self.title = outline.section(self.section).title
        self.questions = list(bank(self.section).values())
        self.cases = all_cases(self.section, source)
        self.gradebook, self.feedback, self.formats = gradebook, feedback, list(formats)
        self.roster = export.read_roster(roster) if roster else []  # read now: a bad roster fails before grading
        self.assignment = assignment or f"Exercise {self.section} {self.title}"
        fresh = results.new_details(self.section, self.title, self.questions)
        self.details = results.load_details(gradebook, self.section) if only else fresh
        self.written: list[Path] = []

    def __call__(self, name: str, result: RunResult, row: Row) -> None:
        """``grade.grade``'s ``on_result``: record one graded submission and write its feedback page."""
        breakdown = details.breakdown(self.questions, self.cases, result, row)
        self.details["submissions"][row.submission] = results.entry(row, breakdown)
        if self.feedback is not None:
            page = report.render(name, self.section, self.title, row, breakdown, details.run_notes(result))
            self.written.append(report.write(self.feedback, name, page))

    def finish(self) -> list[str]:
        """Write the details, the exports and the summary; the lines to print."""
        lines = [f"feedback pages -> {self.feedback} ({len(self.written)} written)"] if self.feedback else []
        results.save_details(self.gradebook, self.details)
        totals = {name: s["total"] for name, s in self.details["submissions"].items()}
        possible = sum(q.points for q in self.questions if q.kind != "manual")
        for fmt in self.formats:
            path, unknown, missing = export.export(fmt, self.gradebook, totals, self.roster, self.assignment, possible)
            lines.append(f"{fmt} export -> {path}")
            if unknown:
                lines.append(f"  not on the roster (exported under their login): {', '.join(unknown)}")
            if missing:
                lines.append(f"  on the roster without a submission (grade left empty): "
                             f"{', '.join(m.login for m in missing)}")
        table = summary.summarize(self.details)
        stem = self.gradebook.with_name(f"{self.gradebook.stem}_summary")
        export.write_text(stem.with_suffix(".csv"), summary.to_csv(table))
        export.write_text(stem.with_suffix(".md"), summary.to_markdown(table, self.section, self.title))
        return [*lines, f"summary -> {stem}.csv, {stem}.md", *summary.to_text(table)]
