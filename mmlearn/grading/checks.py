"""Small assertion helpers for the question checks: each failure says what was expected."""

from __future__ import annotations

import inspect

import numpy as np
import torch

from .codec import ModuleAnswer


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
