"""Interactive widgets of the notebooks, one module per notebook topic.

Each module keeps the arithmetic a widget shows in plain functions (the
"readouts"), so the same numbers can be checked from Python, in the unit
tests and in the browser test, without a screen.
"""
