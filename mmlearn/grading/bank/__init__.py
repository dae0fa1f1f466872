"""One module per chapter (``ch01.py``, ``ch02.py``, ...), each defining ``QUESTIONS``.

A check receives the student's function, calls it on fixed inputs and compares with a
reference computed independently; it raises ``AssertionError`` with a message that says what
is wrong (shape, value, a property), never the solution itself.
"""
