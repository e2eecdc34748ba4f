"""Instant feedback inside an exercise notebook: ``check("q3")`` and ``hint("q3")``.

The notebook names its section explicitly, so feedback never depends on the
file's name or folder (it works on Binder and in any copy)::

    from nncourse.grading import Checker
    grader = Checker("06")
    check, hint = grader.check, grader.hint

``check`` runs the PUBLIC cases only and prints one short verdict (never the
expected value: see ``judge``; a pass says that hidden tests run at grading); a stub
that still raises ``NotImplementedError`` is reported as "not attempted
yet", never as a traceback. Grading does not use this object at all: the
grader judges answers in its own process (see ``grade.py``), so redefining
``check`` in a notebook changes nothing but what the notebook prints.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import wire
from .judge import PUBLIC, Verdict, evaluate
from .spec import Question, bank


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a call that runs past ``seconds`` into a KeyboardInterrupt, which ``wire.run_case``
    reports as a time-out. Only where SIGALRM exists and in the main thread; else no limit."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Checker:
    """Feedback for one section's exercise notebook.

    ``namespace`` is where the learner's answers are looked up; by default
    the globals of the code that creates the Checker (the notebook). An answer
    that runs longer than ``seconds`` is stopped and reported (Unix main thread).
    """

    def __init__(self, section: str, namespace: Mapping[str, Any] | None = None, seconds: float = 10.0):
        self.section = str(section)
        self.seconds = seconds
        self.questions: dict[str, Question] = bank(self.section)
        if namespace is None:
            frame = inspect.currentframe()
            namespace = frame.f_back.f_globals if frame and frame.f_back else {}
        self.namespace = namespace
        self._hints_shown: dict[str, int] = {}

    def _question(self, qid: str) -> Question:
        key = str(qid).lower()
        if key not in self.questions:
            raise ValueError(
                f"No question {qid!r} in section {self.section}. Choose one of: {', '.join(self.questions)}."
            )
        return self.questions[key]

    def verdict(self, qid: str) -> Verdict:
        """The verdict on the public cases of ``qid`` (what ``check`` prints)."""
        q = self._question(qid)
        if q.kind == "manual":
            return evaluate(q, [], [])
        obj = self.namespace.get(q.name)
        with time_limit(self.seconds):
            outcomes = wire.run_all(obj, q.kind, list(q.cases), q.lists, q.functions)
        return evaluate(q, list(q.cases), outcomes, label=PUBLIC)

    def check(self, qid: str) -> None:
        """Print a one-line verdict on question ``qid``, e.g. ``check("q3")``."""
        v = self.verdict(qid)
        print(v)
        q = self._question(qid)
        if v.status == "pass":
            worth = f"{q.points:g} point{'' if q.points == 1 else 's'}"
            print(f"   (worth {worth}" + (" if the hidden tests pass too)" if q.kind == "function" else ")"))

    def hint(self, qid: str, all: bool = False) -> None:
        """Print the next hint for ``qid`` (each call reveals one more); ``all=True`` prints every hint."""
        q = self._question(qid)
        if not q.hints:
            print(f"{q.id}: no hints for this question.")
            return
        shown = len(q.hints) if all else min(self._hints_shown.get(q.id, 0) + 1, len(q.hints))
        self._hints_shown[q.id] = shown
        for i in range(shown):
            print(f"{q.id} hint {i + 1}/{len(q.hints)}: {q.hints[i]}")
        if shown < len(q.hints):
            print(f"   (run hint({q.id!r}) again for the next one)")

    def hidden_tests(self, qid: str, cases: list[dict]) -> None:
        """Run the instructor's hidden cases for ``qid`` (source notebooks only; the
        student version drops these cells and the grader reads the cases from the source)."""
        q = self._question(qid)
        obj = self.namespace.get(q.name)
        outcomes = [wire.run_case(obj, q.kind, case, q.lists, q.functions) for case in cases]
        v = evaluate(q, list(cases), outcomes, label="hidden tests")
        print(f"{q.id} hidden tests: {v.passed}/{v.total} passed" + ("" if v.status == "pass" else f" — {v}"))

    def summary(self) -> None:
        """One line per question: status and points on the public tests."""
        total = auto = manual = 0.0
        for qid, q in self.questions.items():
            v = self.verdict(qid)
            if q.kind == "manual":
                manual += q.points
                print(f"{v}  [{q.points:g} points, marked by hand]")
                continue
            total, auto = total + v.points, auto + q.points
            print(f"{v}  [{v.points:g}/{v.max_points:g}]")
        extra = f" (+ {manual:g} points marked by hand)" if manual else ""
        print(f"public checks: {total:g}/{auto:g} points{extra}; hidden tests run at grading")
