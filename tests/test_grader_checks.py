"""The helpers for randomised checks: sizes drawn from the seed, and the written spec enforced
(inputs not modified in place, dtype preserved, a Python int returned)."""

from __future__ import annotations

import doctest
import random

import numpy as np
import pytest
import torch

from mmlearn.grading import checks
from mmlearn.grading.checks import (
    assert_dtype_preserved,
    assert_not_modified,
    assert_returns_int,
    draw_batches,
    draw_dims,
)
from mmlearn.grading.subject import Answer, LocalSubject


def _answer(fn) -> Answer:
    return Answer(LocalSubject({"f": fn}), "f")


def test_the_docstring_examples_hold():
    assert doctest.testmod(checks).failed == 0


def test_draw_dims_covers_the_ranges_and_follows_the_seed():
    drawn = [draw_dims(random.Random(s), (2, 4), (1, 3)) for s in range(200)]
    assert {len(d) for d in drawn} == {2, 3, 4}
    assert {x for d in drawn for x in d} == {1, 2, 3}
    assert draw_dims(random.Random(5)) == draw_dims(random.Random(5))
    with pytest.raises(ValueError):
        draw_dims(random.Random(0), (3, 2))


def test_draw_batches_always_tries_a_batch_of_one():
    for s in range(20):
        one, more = draw_batches(random.Random(s), high=4)
        assert one == 1 and 2 <= more <= 4


def test_in_place_changes_are_caught():
    x = torch.arange(6.0).reshape(2, 3)
    xs = [torch.ones(2, 2), torch.zeros(2, 2)]

    def scales_in_place(x):
        x.mul_(2)
        return x

    def appends(xs):
        xs.append(xs[0])
        return xs[0]

    def honest(x):
        return x * 2

    with pytest.raises(AssertionError, match="changed its argument 1 in place"):
        assert_not_modified(_answer(scales_in_place), x)
    with pytest.raises(AssertionError, match="in place"):
        assert_not_modified(_answer(appends), xs)
    out = assert_not_modified(_answer(honest), x)
    assert torch.equal(out, x * 2) and torch.equal(x, torch.arange(6.0).reshape(2, 3))
    nan = torch.tensor([float("nan"), 1.0])
    assert torch.equal(assert_not_modified(_answer(lambda v: v.sum()), nan).isnan(), torch.tensor(True))
    arr = np.ones(3)

    def numpy_in_place(a):
        a[0] = 5
        return a

    with pytest.raises(AssertionError, match="in place"):
        assert_not_modified(_answer(numpy_in_place), arr)


def test_a_hard_coded_dtype_is_caught():
    xs = [torch.randn(2, 3), torch.randn(2, 3)]

    def casts(xs):
        return torch.stack(xs).amax(0).float()

    def keeps(xs):
        return torch.stack(xs).amax(0)

    with pytest.raises(AssertionError, match="keep the inputs' dtype torch.float64"):
        assert_dtype_preserved(_answer(casts), lambda dt: ([x.to(dt) for x in xs],))
    outs = assert_dtype_preserved(_answer(keeps), lambda dt: ([x.to(dt) for x in xs],))
    assert [o.dtype for o in outs] == [torch.float32, torch.float64]


@pytest.mark.parametrize("value", [3.0, True, np.int64(3), torch.tensor(3), "3"])
def test_only_a_python_int_is_an_int(value):
    with pytest.raises(AssertionError, match="should be a Python int"):
        assert_returns_int(value, "the count")


def test_an_int_passes():
    assert assert_returns_int(3) == 3
