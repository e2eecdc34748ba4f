"""One submission's result, question by question and case by case, split into public and hidden.

``breakdown(questions, cases, result, row)`` re-judges each case of a graded submission
(``judge.judge_all``, in the grader's process, on the data its kernel sent back) and keeps:

- for each PUBLIC case (the bank's ``q.cases``, which ``check()`` shows learners anyway): its
  status and message;
- for the HIDDEN cases (from the instructor's source notebook): only counts (passed, wrong,
  raised, timed out, not attempted) and the names of the mistakes recognised. Never their
  inputs, expected values or messages: a message can quote an input (a learner's exception
  may print its arguments) or an expected value.

The feedback reports (``report.py``), the Gradescope results (``gradescope.py``) and the class
summary (``summary.py``) are all made from this, so none of them can show more than it keeps.
The points come from the gradebook row (``grade.score``), never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .grade import Row
from .judge import judge_all
from .runner import RunResult
from .spec import Question

KILLED_IN_PROBE = "calling the answer killed the kernel"


@dataclass
class CaseResult:
    """One public case: status (pass, wrong, error, timeout, not_attempted, missing), message, mistake name."""

    status: str
    message: str
    mistake: str | None = None


@dataclass
class QuestionResult:
    """What a learner may see about one question (see the module docstring)."""

    id: str
    title: str
    kind: str
    points: float | None
    max_points: float
    public: list[CaseResult] = field(default_factory=list)
    hidden: dict[str, int] = field(default_factory=dict)  # status -> count
    hidden_mistakes: list[str] = field(default_factory=list)
    problem: str = ""  # why no answer came back (a time-out, a crash), if none did
    hints: tuple[str, ...] = ()

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())

    @property
    def hidden_passed(self) -> int:
        return self.hidden.get("pass", 0)

    @property
    def public_passed(self) -> int:
        return sum(c.status == "pass" for c in self.public)

    @property
    def mistakes(self) -> list[str]:
        """Every mistake recognised in this question, public or hidden (sorted, each once)."""
        return sorted({c.mistake for c in self.public if c.mistake} | set(self.hidden_mistakes))

    @property
    def full_marks(self) -> bool:
        return self.points is not None and self.points >= self.max_points


def _judged(q: Question, cases: list[dict], outcomes: list) -> list[CaseResult]:
    """Each case's result, judged as the gradebook judges them (``judge.judge_all``)."""
    if not all(isinstance(o, dict) for o in outcomes):
        return [CaseResult("error", "the answer's data could not be read") for _ in cases]
    try:
        results = judge_all(q, cases, outcomes)
    except Exception as err:  # malformed data from the kernel
        return [CaseResult("error", f"the answer's data could not be read ({type(err).__name__})") for _ in cases]
    out = []
    for r, outcome in zip(results, outcomes):
        timed_out = r.status == "error" and str(outcome.get("error", "")).startswith("TimeoutError")
        out.append(CaseResult("timeout" if timed_out else r.status, r.message, r.mistake))
    return out


def question_result(q: Question, cases: list[dict], result: RunResult, points: float | None) -> QuestionResult:
    """The breakdown of one question (``cases``: the public ones first, then the hidden ones)."""
    out = QuestionResult(q.id, q.title, q.kind, points, float(q.points), hints=tuple(q.hints))
    if q.kind == "manual":
        return out
    outcomes = result.outcomes.get(q.id)
    if outcomes is None or len(outcomes) != len(cases):
        out.problem = result.probe_problems.get(q.id, "no answer came back")
        return out
    n_public = len(q.cases)
    judged = _judged(q, cases, outcomes)
    out.public = judged[:n_public]
    for c in judged[n_public:]:
        out.hidden[c.status] = out.hidden.get(c.status, 0) + 1
    out.hidden_mistakes = sorted({c.mistake for c in judged[n_public:] if c.mistake})
    return out


def breakdown(questions: list[Question], cases: dict[str, list[dict]], result: RunResult, row: Row) -> list[
    QuestionResult
]:
    """``question_result`` for every question of the section, in order."""
    return [question_result(q, cases.get(q.id, []), result, row.points.get(q.id)) for q in questions]


def run_notes(result: RunResult) -> list[str]:
    """What happened while the notebook ran: time-outs, a dead kernel, cells that raised.

    If a probe killed the kernel, the notebook was replayed after its answers had been called
    on the hidden inputs; a learner's cell could then have read those inputs back (from a file
    it wrote) into an exception message. In that case only the error names are kept."""
    replayed = KILLED_IN_PROBE in result.probe_problems.values()
    notes = []
    for note in result.notes:
        if replayed and " raised " in note and note.startswith("code cell "):
            note = note.split(" raised ", 1)[0] + " raised an error (withheld: the notebook was replayed after a crash)"
        notes.append(note)
    return notes
