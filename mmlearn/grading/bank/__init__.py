"""One module per chapter (``ch01.py``, ``ch02.py``, ...), each defining ``QUESTIONS``.

A check receives the student's function, calls it on inputs drawn from the seed and compares
with a reference computed independently; it raises ``AssertionError`` with a message that says
what is wrong (shape, value, a property), never the solution itself.

Every question declares its ``kind`` ("implementation", "derivation", "experiment", "design",
"one-liner" or "count"); a question that calls another question's function declares
``uses=("qK",)`` and is graded with the ``reference`` of that question; a design question has a
``rubric`` instead of a check. The full declaration, with an example, is at the top of
:mod:`mmlearn.grading.spec`.
"""
