"""Each section's graded questions: module ``sNN`` holds a ``Bank`` ``QUESTIONS``, each question
declared right above its reference answer (see ``nncourse.grading.spec.Bank``)."""
