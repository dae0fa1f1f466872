"""Every fusion method of the book, one small module per family, all with one signature.

``Fusion(input_dims, output_dim, **hyper)`` and ``fusion(x1, ..., xM) -> (batch, output_dim)``.
Modules in this package register their classes on import; every class is re-exported here.
"""

import importlib
import pkgutil

from .base import Fusion
from .registry import available, build, get, register

for _info in pkgutil.iter_modules(__path__):
    if _info.name not in {"base", "registry"}:
        importlib.import_module(f"{__name__}.{_info.name}")

for _name in available():
    _cls = get(_name)
    globals()[_cls.__name__] = _cls

__all__ = ["Fusion", "available", "build", "get", "register"] + sorted(get(n).__name__ for n in available())
