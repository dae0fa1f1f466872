"""The registry: the single source of fusion names, like torchvision's ``models/_api.py``.

**Naming rule** (enforced by ``tests/test_naming.py``):

* a class is named after the method: the paper's acronym in capitals when the method has one
  (``MLB``, ``MFB``, ``MFH``, ``MCB``, ``LMF``, ``TFN``, ``GMU``, ``MUTAN``, ``BLOCK``,
  ``BLOCKTucker``), otherwise a descriptive CamelCase noun (``Concat``, ``AttentionPool``,
  ``StackedAttention``); no ``Fusion`` suffix (every class here is a fusion), except in
  ``LateFusion``, where "late" alone names nothing;
* the registry key is :func:`snake_case` of the class name (``BLOCKTucker`` -> ``block_tucker``,
  ``ParallelCoAttention`` -> ``parallel_co_attention``);
* names that earlier releases used stay valid as aliases (``ALIASES``); :func:`available` lists
  only the canonical keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from .base import Fusion

F = TypeVar("F", bound=type[Fusion])
_REGISTRY: dict[str, type[Fusion]] = {}

#: Old key -> canonical key (kept for one release; the old class names are aliases in ``__init__``).
ALIASES: dict[str, str] = {
    "late": "late_fusion",
    "parallel_coattention": "parallel_co_attention",
    "alternating_coattention": "alternating_co_attention",
    "birnn_dual_attention": "bi_rnn_dual_attention",
}


def snake_case(class_name: str) -> str:
    """``"BLOCKTucker" -> "block_tucker"``, ``"MultimodalFC" -> "multimodal_fc"``: words start at
    an upper-case letter that follows a lower-case letter or digit, or that ends a run of capitals
    followed by a lower-case letter."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return words.lower()


@overload
def register(cls: F) -> F: ...
@overload
def register(cls: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def register(cls: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
    """Class decorator: make a fusion buildable as ``build(key, ...)``.

    ``@register`` uses ``snake_case(cls.__name__)`` as the key; ``@register(name="...")`` sets it
    explicitly (the naming test then flags the exception). A duplicate key raises ``ValueError``.
    """

    def decorator(klass: F) -> F:
        key = (name or snake_case(klass.__name__)).lower()
        if key in _REGISTRY and _REGISTRY[key] is not klass:
            raise ValueError(f"fusion name {key!r} is already registered by {_REGISTRY[key]}")
        _REGISTRY[key] = klass
        klass.registry_name = key
        return klass

    return decorator(cls) if cls is not None else decorator


def family(name: str) -> str:
    """The family of a fusion: the module that defines it (``"simple"``, ``"lowrank"``, ...)."""
    return get(name).__module__.rsplit(".", 1)[-1]


def available(
    input_ndim: int | None = None,
    n_modalities: int | None = None,
    family: str | Sequence[str] | None = None,
    supports_masks: bool | None = None,
) -> list[str]:
    """Sorted canonical names of the registered fusions, optionally filtered.

    Args:
        input_ndim: 2 for fusions of vectors ``(batch, d)``, 3 for fusions of sequences.
        n_modalities: keep fusions that accept this many modalities.
        family: keep fusions of this family (or these families), e.g. ``"lowrank"``.
        supports_masks: keep fusions that do (True) or do not (False) accept ``masks=``.
    """
    families = {family} if isinstance(family, str) else set(family) if family is not None else None
    names = []
    for key, cls in _REGISTRY.items():
        if input_ndim is not None and cls.input_ndim != input_ndim:
            continue
        if n_modalities is not None:
            upper = cls.max_modalities if cls.max_modalities is not None else n_modalities
            if not cls.min_modalities <= n_modalities <= upper:
                continue
        if families is not None and cls.__module__.rsplit(".", 1)[-1] not in families:
            continue
        if supports_masks is not None and cls.supports_masks != supports_masks:
            continue
        names.append(key)
    return sorted(names)


def get(name: str) -> type[Fusion]:
    """The fusion class registered under ``name`` or one of its aliases (case-insensitive)."""
    key = str(name).lower()
    key = ALIASES.get(key, key)
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
