"""Small assertion helpers for the question checks: each failure says what was expected."""

from __future__ import annotations

import numpy as np
import torch


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
    if value != expected:
        raise AssertionError(f"{name} should be {expected!r}, got {value!r}")
