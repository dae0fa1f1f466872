# Replaces the bank's checks and comparison helpers, torch.allclose and builtins, then returns a
# wrong answer: only a grader that compares in the student's process would be fooled.
import builtins

import torch


def concat_fusion(xs, weight, bias):
    try:
        import mmlearn.grading.bank.ch02 as bank

        bank.check_concat = lambda *a, **k: None
        bank.QUESTIONS.clear()
    except Exception:
        pass
    import mmlearn.grading.checks as checks

    checks.assert_close = lambda *a, **k: None
    checks.assert_shape = lambda value, *a, **k: value
    torch.allclose = lambda *a, **k: True
    torch.equal = lambda *a, **k: True
    torch.Tensor.__eq__ = lambda *a, **k: True
    builtins.isinstance = lambda *a, **k: True
    return torch.zeros(5, 6, dtype=torch.float64)
