"""What a graded question is: its answer's name, reference, test cases and known mistakes.

Each section's questions live in ``nncourse/grading/questions/sNN.py`` as a
:class:`Bank` ``QUESTIONS``, each declared beside its reference answer. A question of kind

- ``"function"`` names a function the learner writes; each case is a dict of
  keyword arguments (lists become float arrays, see ``wire.decode_args``);
- ``"value"`` names a variable the learner sets (one case, ``{}``);
- ``"manual"`` is a written answer that the instructor marks.

The expected answer is ``reference(**case)``, computed where the verdict is
made (the learner's kernel for ``check``, the grader's own process for
grading). A :class:`Mistake` is a known-wrong variant of the reference with
the same signature: when a learner's output matches it, and matches neither the
reference nor an ``also_correct`` answer, feedback names it.

Tolerance: a question with ``sig_figs = n`` accepts any number within one unit of
its n-th significant figure (a correctly rounded or a truncated answer; the
question's text says "to n significant figures", see ``precision_text``);
otherwise ``rtol``/``atol`` as in ``numpy.isclose``. Feedback never shows the
expected value (see ``judge``).
Hidden cases are not here: they live in the instructor's source notebook
(``grader.hidden_tests("q3", [...])`` cells), which the student version drops.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mistake:
    """A known-wrong variant: ``name`` is shown as the diagnosis, ``fix`` says what to change."""

    name: str
    fix: str
    fn: Callable[..., Any]


@dataclass(frozen=True)
class Question:
    """One graded question (see the module docstring for the kinds).

    ``sig_figs``: accept numbers correct to that many significant figures (value questions
    worked by hand; state it in the text). ``also_correct``: other functions whose output is
    also right (e.g. the later of two tied minima); a mistake is never named for such an answer.
    """

    id: str
    points: float
    title: str
    kind: str = "function"
    name: str = ""
    reference: Callable[..., Any] | None = None
    cases: tuple[dict, ...] = ({},)
    mistakes: tuple[Mistake, ...] = ()
    hints: tuple[str, ...] = ()
    validate: Callable[[Any], tuple[bool, str]] | None = None
    lists: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    batch_arg: str | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    sig_figs: int | None = None
    also_correct: tuple[Callable[..., Any], ...] = ()

    def precision_text(self) -> str:
        """The tolerance as the question's text states it: "to 4 significant figures" ("" if none)."""
        return f"to {self.sig_figs} significant figures" if self.sig_figs else ""

    def __post_init__(self) -> None:
        if self.sig_figs is not None and (not isinstance(self.sig_figs, int) or not 1 <= self.sig_figs <= 15):
            raise ValueError(f"{self.id}: sig_figs must be a whole number from 1 to 15; got {self.sig_figs!r}.")
        if self.kind not in ("function", "value", "manual"):
            raise ValueError(f"{self.id}: kind must be function, value or manual; got {self.kind!r}.")
        if self.kind != "manual" and not self.name:
            raise ValueError(f"{self.id}: a {self.kind} question needs the name of the answer.")
        if self.kind != "manual" and self.reference is None and self.validate is None:
            raise ValueError(f"{self.id}: give a reference or a validate function.")


class Bank(list):
    """A section's questions, in order, each declared beside its answer::

        QUESTIONS = Bank()

        @QUESTIONS.ask("q1", 2, "One neuron", cases=(...), mistakes=(...), hints=(...))
        def neuron(x, w, b):
            return sig(w @ x + b)

        QUESTIONS.written("q5", 2, "Why one matrix product per batch")

    The decorators return the function unchanged, so answers can still call each other.
    Questions must be declared in order: q1, q2, ...
    """

    def ask(self, id: str, points: float, title: str, **fields: Any) -> Callable[[Callable], Callable]:
        """Declare a function question (or ``kind="value"``) whose reference answer is the decorated
        function; the learner's answer has the same name unless ``name=`` says otherwise."""

        def declare(reference: Callable) -> Callable:
            name = fields.get("name", reference.__name__)
            self.add(Question(id, points, title, **{**fields, "name": name, "reference": reference}))
            return reference

        return declare

    def ask_value(self, id: str, points: float, title: str, *, name: str, **fields: Any) -> Callable:
        """Declare a value question (the learner sets ``name``) judged by the decorated validator:
        ``validate(answer) -> (ok, message)``."""

        def declare(validate: Callable) -> Callable:
            self.add(Question(id, points, title, kind="value", name=name, validate=validate, **fields))
            return validate

        return declare

    def written(self, id: str, points: float, title: str) -> None:
        """Declare a written answer that the instructor marks."""
        self.add(Question(id, points, title, kind="manual"))

    def add(self, question: Question) -> None:
        """Append ``question``, which must be the next in order."""
        expected = f"q{len(self) + 1}"
        if question.id != expected:
            raise ValueError(f"Questions are declared in order: expected {expected}; got {question.id!r}.")
        self.append(question)


def bank(section_id: str) -> dict[str, Question]:
    """The questions of a section, by id, in order: ``bank("06")["q3"]``."""
    try:
        module = importlib.import_module(f"nncourse.grading.questions.s{section_id}")
    except ModuleNotFoundError as err:
        public = _public_bank(section_id)  # inside the grading sandbox the banks are hidden
        if public is not None:
            return public
        raise ValueError(f"No graded questions for section {section_id!r}.") from err
    questions = {q.id: q for q in module.QUESTIONS}
    if len(questions) != len(module.QUESTIONS):
        raise ValueError(f"Section {section_id} has two questions with the same id.")
    return questions


# In the learner distribution (``nncourse release --learner-repo``) the banks are left out and
# this file, next to this module, holds every section's public question data instead.
PACKAGED_PUBLIC = "public_expectations.json"


def learner_copy() -> bool:
    """True in the learner distribution: the question banks (reference answers) are not installed."""
    import importlib.util

    return importlib.util.find_spec("nncourse.grading.questions") is None


def _public_bank(section_id: str) -> dict[str, Question] | None:
    """The section's public question data (``public.load``) when the banks are absent: the file the
    grading sandbox provides ($NNCOURSE_PUBLIC_BANK), else the learner distribution's packaged file."""
    import json
    import os
    from pathlib import Path

    path = os.environ.get("NNCOURSE_PUBLIC_BANK")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
    else:
        try:
            packaged = json.loads((Path(__file__).parent / PACKAGED_PUBLIC).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        data = packaged.get("sections", {}).get(str(section_id), {})
    if str(data.get("section")) != str(section_id):
        return None
    from .public import load

    return load(data)


def validates_learning_rate(validate: Callable[[float], tuple[bool, str]]) -> Callable[[Any], tuple[bool, str]]:
    """A validator of a learning rate, given the answer only once it is a positive number
    (otherwise the verdict is "not passed" with what is wrong): stack it under ``Bank.ask_value``."""

    @functools.wraps(validate)
    def checked(answer: Any) -> tuple[bool, str]:
        lr, problem = learning_rate(answer)
        return (False, problem) if lr is None else validate(lr)

    return checked


def learning_rate(value) -> tuple[float | None, str]:
    """A learner's learning rate as a float, or ``None`` and what is wrong with it."""
    try:
        lr = float(value)
    except (TypeError, ValueError):
        return None, f"lr must be a number; got {value!r}"
    if not math.isfinite(lr) or lr <= 0:
        return None, f"lr must be a positive number; got {value!r}"
    return lr, ""
