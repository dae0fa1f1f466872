"""Small assertion helpers for the question checks: each failure says what was expected.

Randomised checks draw their sizes from the question's seed (:func:`draw_dims`,
:func:`draw_batches`) and enforce the written spec (:func:`assert_not_modified`,
:func:`assert_dtype_preserved`, :func:`assert_returns_int`). A typical check::

    def check_max_pool(fn, seed):
        rng = random.Random(seed)
        g = torch.Generator().manual_seed(seed)
        for batch in draw_batches(rng):
            m, d = len(draw_dims(rng, (2, 5))), rng.randint(1, 7)
            xs = [torch.randn(batch, d, generator=g, dtype=torch.float64) for _ in range(m)]
            out = assert_not_modified(fn, xs, name="max_pool_fusion(xs)")
            assert_close(out, torch.stack(xs).amax(0), "max_pool_fusion(xs)")
        assert_dtype_preserved(fn, lambda dt: ([x.to(dt) for x in xs],), name="max_pool_fusion(xs)")
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .codec import ModuleAnswer
from .subject import Answer


def as_tensor(value, name: str) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise AssertionError(f"{name} should be a torch.Tensor, got {type(value).__name__}")
    return value


def assert_shape(value, shape: tuple[int, ...], name: str = "the result") -> torch.Tensor:
    t = as_tensor(value, name)
    if tuple(t.shape) != tuple(shape):
        raise AssertionError(f"{name} should have shape {tuple(shape)}, got {tuple(t.shape)}")
    return t


def assert_close(value, expected, name: str = "the result", rtol: float = 1e-5, atol: float = 1e-6):
    expected = as_tensor(expected, "expected")
    t = assert_shape(value, tuple(expected.shape), name)
    t = t.detach().to(expected.dtype)
    if not torch.isfinite(t).all():
        raise AssertionError(f"{name} contains NaN or inf")
    if not torch.allclose(t, expected, rtol=rtol, atol=atol):
        err = (t - expected).abs().max().item()
        raise AssertionError(f"{name} has the right shape but wrong values (max abs error {err:.3g})")


def assert_equal(value, expected, name: str = "the result"):
    """``value == expected``, and of exactly the same type where ``expected`` is an ``int``."""
    if type(expected) is int and type(value) is not int:
        raise AssertionError(f"{name} should be an int, got {type(value).__name__}")
    if value != expected:
        raise AssertionError(f"{name} should be {expected!r}, got {value!r}")


def rebuild(value, cls: type[torch.nn.Module], name: str = "the result") -> torch.nn.Module:
    """A genuine ``cls`` built here from a returned module's attributes and weights.

    The student's class never runs in the grader: only its constructor arguments (read from
    attributes of the same names) and its ``state_dict`` cross over. The shapes are checked on
    the ``meta`` device before anything is allocated, so a huge claim costs nothing.
    """
    expected_name = f"{cls.__module__}.{cls.__qualname__}"
    if not isinstance(value, ModuleAnswer) or value.class_name != expected_name:
        got = value.class_name if isinstance(value, ModuleAnswer) else type(value).__name__
        raise AssertionError(f"{name} should be a {cls.__module__}.{cls.__name__}, got {got}")
    params = list(inspect.signature(cls.__init__).parameters)[1:]
    hyper = {k: v for k, v in value.attrs.items() if k in params}
    if not all(_plain(v) for v in hyper.values()):
        raise AssertionError(f"{name}: its hyper-parameters are not plain numbers, strings or tuples")
    try:
        with torch.device("meta"):
            expected = {k: tuple(v.shape) for k, v in cls(**hyper).state_dict().items()}
    except (TypeError, ValueError) as err:
        raise AssertionError(f"{name} cannot be rebuilt from its hyper-parameters ({err})") from err
    shapes = {k: tuple(v.shape) for k, v in value.state.items()}
    if shapes != expected:
        raise AssertionError(f"{name}'s weights do not match its hyper-parameters")
    module = cls(**hyper).double()
    module.load_state_dict(value.state, strict=True)
    return module


def _plain(value) -> bool:
    if type(value) in (bool, int, float, str) or value is None:
        return type(value) is not int or abs(value) < 1_000_000
    return type(value) in (list, tuple) and len(value) < 64 and all(_plain(v) for v in value)


# --- randomised checks: draw the task's sizes from the seed, enforce the written spec ---


def draw_dims(
    rng: random.Random, m_range: tuple[int, int] = (2, 4), d_range: tuple[int, int] = (1, 8)
) -> list[int]:
    """Feature sizes ``[d_1, ..., d_M]`` of a random number of modalities ``M`` (both ranges
    inclusive), so that an answer written for the shown example (two modalities, fixed sizes)
    fails.

    >>> rng = random.Random(0)
    >>> dims = draw_dims(rng, m_range=(3, 5), d_range=(2, 6))
    >>> 3 <= len(dims) <= 5 and all(2 <= d <= 6 for d in dims)
    True
    """
    lo, hi = m_range
    if not 1 <= lo <= hi or not 1 <= d_range[0] <= d_range[1]:
        raise ValueError(f"bad ranges m_range={m_range}, d_range={d_range}")
    return [rng.randint(*d_range) for _ in range(rng.randint(lo, hi))]


def draw_batches(rng: random.Random, high: int = 6) -> list[int]:
    """Batch sizes to try: ``1`` (a squeeze that drops the batch axis fails) and one in ``[2, high]``.

    >>> draw_batches(random.Random(0))[0]
    1
    """
    return [1, rng.randint(2, max(2, high))]


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, torch.Tensor):
        if not isinstance(after, torch.Tensor) or after.shape != before.shape or after.dtype != before.dtype:
            return False
        if before.is_floating_point() or before.is_complex():
            return bool(torch.allclose(before, after, rtol=0, atol=0, equal_nan=True))
        return bool(torch.equal(before, after))
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(before, after)
    if isinstance(before, list | tuple):
        return (
            type(after) is type(before)
            and len(after) == len(before)
            and all(_same(b, a) for b, a in zip(before, after, strict=True))
        )
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and before.keys() == after.keys()
            and all(_same(before[k], after[k]) for k in before)
        )
    return True  # numbers, strings, generators: cannot be changed in place


def assert_not_modified(fn: Answer, *args: Any, name: str = "your function", **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` and fail if it changed any argument in place (``x += ...``,
    ``xs.append``, ``x.mul_``); the result.

    Example (in a check)::

        out = assert_not_modified(fn, xs, weight, name="concat_fusion(xs, weight)")
    """
    result = fn.call(*args, return_args=True, **kwargs)
    after = result.args_after or []
    for i, (before, now) in enumerate(zip(args, after, strict=False)):
        if not _same(before, now):
            raise AssertionError(f"{name} changed its argument {i + 1} in place: work on a copy")
    return result.value


def assert_dtype_preserved(
    fn: Answer,
    make_args: Callable[[torch.dtype], tuple],
    dtypes: tuple[torch.dtype, ...] = (torch.float32, torch.float64),
    name: str = "the result",
) -> list[Any]:
    """Call ``fn(*make_args(dtype))`` for each dtype; fail unless the result is a tensor of that
    dtype (a hard-coded ``.float()`` or ``torch.tensor(..., dtype=...)`` loses the marks). The
    results, one per dtype.

    Example::

        outs = assert_dtype_preserved(fn, lambda dt: ([x.to(dt) for x in xs],), name="max_pool(xs)")
    """
    results = []
    for dtype in dtypes:
        value = as_tensor(fn(*make_args(dtype)), name)
        if value.dtype != dtype:
            raise AssertionError(f"{name} should keep the inputs' dtype {dtype}, got {value.dtype}")
        results.append(value)
    return results


def assert_returns_int(value: Any, name: str = "the result") -> int:
    """``value`` must be a Python ``int`` (not a float, bool, tensor or numpy number)."""
    if type(value) is not int:
        raise AssertionError(f"{name} should be a Python int, got {type(value).__name__}")
    return value
