"""Graded exercises: instant feedback for learners, safe batch grading for instructors.

- ``spec``: what a question is (answer name, reference, cases, known mistakes, hints)
- ``questions/sNN.py``: each section's questions
- ``wire``: answers to plain data across the kernel boundary (pasted into probe cells)
- ``judge``: the one place a verdict is made; names typical mistakes
- ``feedback``: ``Checker`` with ``check("q3")`` and ``hint("q3")`` for the notebook
- ``markers``: solution markers and stubs; ``release``: source -> student notebooks;
  ``learner``: the learner distribution without solutions (``nncourse release --learner-repo``)
- ``probe``, ``runner``: run a submission in a fresh kernel and read its answers back as data
- ``sandbox``: the bubblewrap sandbox each graded kernel runs in; ``public``: the public
  question data ``check()`` uses there (the banks are hidden from the kernel)
- ``integrity``: fingerprint of the environment, checked after each submission
- ``grade``: a folder of submissions -> gradebook CSV; ``commands``: the CLI
- ``details``: a graded submission case by case (hidden cases: counts and mistake names only);
  ``report``: its HTML feedback page; ``export``: Canvas and Moodle CSV, roster;
  ``summary``: the class summary per question; ``results``: ``_details.json`` and ``--only``;
  ``outputs``: all of these for one ``nncourse grade`` run; ``gradescope``: the Gradescope autograder
"""

from .feedback import Checker

__all__ = ["Checker"]
