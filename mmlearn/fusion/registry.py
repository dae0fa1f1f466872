"""Name -> fusion class registry, and ``build(name, input_dims, output_dim, **hyper)``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .base import Fusion

F = TypeVar("F", bound=type[Fusion])
_REGISTRY: dict[str, type[Fusion]] = {}


def register(name: str) -> Callable[[F], F]:
    """Class decorator: make a fusion buildable as ``build(name, ...)``."""

    def decorator(cls: F) -> F:
        key = name.lower()
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"fusion name {name!r} is already registered by {_REGISTRY[key]}")
        _REGISTRY[key] = cls
        cls.registry_name = key  # type: ignore[attr-defined]
        return cls

    return decorator


def available() -> list[str]:
    """Sorted names of every registered fusion."""
    return sorted(_REGISTRY)


def get(name: str) -> type[Fusion]:
    """The fusion class registered under ``name`` (case-insensitive)."""
    key = str(name).lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown fusion {name!r}; available: {', '.join(available())}")
    return _REGISTRY[key]


def build(name: str, input_dims: Sequence[int], output_dim: int, **hyper: Any) -> Fusion:
    """Build the fusion registered under ``name``.

    Example:
        >>> fusion = build("concat", [64, 32], 16)
        >>> fusion.output_dim
        16
    """
    cls = get(name)
    try:
        return cls(input_dims, output_dim, **hyper)
    except TypeError as err:
        if "unexpected keyword argument" in str(err):
            raise TypeError(f"fusion {name!r} ({cls.__name__}): {err}") from err
        raise
