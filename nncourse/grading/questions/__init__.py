"""Each section's graded questions: module ``sNN`` holds a list ``QUESTIONS``."""
