"""Plain data across the sandbox boundary: what a worker may send back, and nothing else.

Values are encoded as JSON trees with a type tag on every node, so that the parent can rebuild
them *exactly* (an ``int`` stays an ``int``, a ``float64`` tensor stays ``float64``) without
running any code of the student's: tensors and arrays travel as raw bytes with their dtype and
shape, and decoding only ever builds numbers, strings, lists, tuples, dicts, numpy arrays and
torch tensors. Objects of any other type (a Tensor subclass, an object whose ``__eq__`` always
says yes, a function) are encoded as :class:`Opaque`, which no check accepts.

Both sides use this module: the worker encodes results (and decodes arguments), the parent
encodes arguments (and decodes results). Only the parent's decoding needs to be safe, and it
is: it never calls ``pickle``, ``eval`` or a constructor chosen by the data.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

MAX_DEPTH = 16
MAX_ITEMS = 100_000  # nodes in one value (list entries, dict keys, ...)
MAX_STRING = 100_000  # characters of one string

# dtype name -> (torch dtype, numpy dtype of the raw bytes)
DTYPES: dict[str, tuple[torch.dtype, np.dtype]] = {
    "bool": (torch.bool, np.dtype(np.bool_)),
    "uint8": (torch.uint8, np.dtype(np.uint8)),
    "int8": (torch.int8, np.dtype(np.int8)),
    "int16": (torch.int16, np.dtype(np.int16)),
    "int32": (torch.int32, np.dtype(np.int32)),
    "int64": (torch.int64, np.dtype(np.int64)),
    "float16": (torch.float16, np.dtype(np.float16)),
    "bfloat16": (torch.bfloat16, np.dtype(np.int16)),  # numpy has no bfloat16: raw 16-bit words
    "float32": (torch.float32, np.dtype(np.float32)),
    "float64": (torch.float64, np.dtype(np.float64)),
    "complex64": (torch.complex64, np.dtype(np.complex64)),
    "complex128": (torch.complex128, np.dtype(np.complex128)),
}
TORCH_NAMES = {dtype: name for name, (dtype, _) in DTYPES.items()}
NUMPY_NAMES = {np_dtype: name for name, (_, np_dtype) in DTYPES.items() if name != "bfloat16"}
SCALARS = {np.dtype(t).type for t in NUMPY_NAMES}


class CodecError(ValueError):
    """A value cannot be sent across the boundary (an unknown type, too big, malformed)."""


@dataclass(frozen=True)
class Opaque:
    """Stands for an object the codec does not carry: only its type's name crosses over."""

    type_name: str

    def __repr__(self) -> str:
        return f"<an object of type {self.type_name}>"


@dataclass(frozen=True)
class ModuleAnswer:
    """An ``nn.Module`` as data: its class name, a few named attributes and its ``state_dict``.

    The parent never trusts the class name: it rebuilds a genuine module of the expected class
    from ``attrs`` and loads ``state`` into it (see :func:`mmlearn.grading.checks.rebuild`).
    """

    class_name: str
    attrs: dict[str, Any] = field(default_factory=dict)
    state: dict[str, torch.Tensor] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratorState:
    """A ``torch.Generator`` as data (its full state), so that both sides draw the same numbers."""

    state: bytes


def _type_name(value: object) -> str:
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else cls.__qualname__


def _tensor_node(t: torch.Tensor, tag: str) -> dict:
    if t.dtype not in TORCH_NAMES:
        raise CodecError(f"tensors of dtype {t.dtype} are not supported")
    if t.layout != torch.strided:
        raise CodecError(f"a {t.layout} tensor cannot be read: return a dense tensor")
    t = t.detach().cpu().resolve_conj().resolve_neg().contiguous()
    raw = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
    data = raw.numpy().tobytes()
    return {"t": tag, "dtype": TORCH_NAMES[t.dtype], "shape": list(t.shape), "data": _b64(data)}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class _Encoder:
    def __init__(self, module_attrs: tuple[str, ...] = ()) -> None:
        self.items = 0
        self.module_attrs = module_attrs

    def encode(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise CodecError("the value is too large or too deeply nested")
        cls = type(value)
        if value is None or cls is bool or cls is str:
            if cls is str and len(value) > MAX_STRING:
                raise CodecError("a string is too long")
            return {"t": "v", "v": value}
        if cls is int:
            return {"t": "int", "v": str(value)}
        if cls is float:
            return {"t": "float", "v": repr(value)}
        if cls is torch.Tensor or cls is torch.nn.Parameter:
            return _tensor_node(value, "tensor")
        if cls is np.ndarray:
            if value.dtype not in NUMPY_NAMES or value.dtype.hasobject:
                raise CodecError(f"arrays of dtype {value.dtype} are not supported")
            return _tensor_node(torch.from_numpy(np.ascontiguousarray(value)), "ndarray")
        if cls in SCALARS:
            return _tensor_node(torch.from_numpy(np.asarray(value)), "npscalar")
        if cls is list or cls is tuple:
            return {"t": cls.__name__, "v": [self.encode(v, depth + 1) for v in value]}
        if cls is dict:
            if not all(type(k) is str for k in value):
                raise CodecError("only dicts with str keys are supported")
            return {"t": "dict", "v": {k: self.encode(v, depth + 1) for k, v in value.items()}}
        if cls is torch.Generator:
            return {"t": "generator", "state": _b64(value.get_state().numpy().tobytes())}
        if cls is GeneratorState:
            return {"t": "generator", "state": _b64(value.state)}
        if isinstance(value, torch.nn.Module):
            attrs = {
                a: self.encode(getattr(value, a), depth + 1) for a in self.module_attrs if hasattr(value, a)
            }
            state = {k: _tensor_node(v, "tensor") for k, v in value.state_dict().items()}
            return {"t": "module", "class": _type_name(value), "attrs": attrs, "state": state}
        return {"t": "opaque", "type": _type_name(value)[:200]}


def encode(value: Any, module_attrs: tuple[str, ...] = ()) -> Any:
    """``value`` as a JSON-ready tree; raises :class:`CodecError` for what cannot cross."""
    return _Encoder(module_attrs).encode(value)


def _array(node: dict) -> np.ndarray:
    name = node.get("dtype")
    if name not in DTYPES:
        raise CodecError(f"unknown dtype {name!r}")
    shape = node.get("shape")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise CodecError("malformed shape")
    np_dtype = DTYPES[name][1]
    data = base64.b64decode(node.get("data", ""), validate=True)
    if len(data) != math.prod(shape) * np_dtype.itemsize:
        raise CodecError("the array's bytes do not match its shape")
    return np.frombuffer(data, dtype=np_dtype).reshape(shape).copy()


def _tensor(node: dict) -> torch.Tensor:
    arr = _array(node)
    t = torch.from_numpy(arr)
    return t.view(torch.bfloat16) if node["dtype"] == "bfloat16" else t


class _Decoder:
    def __init__(self) -> None:
        self.items = 0

    def decode(self, node: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise CodecError("the value is too large or too deeply nested")
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise CodecError("malformed value")
        tag = node["t"]
        if tag == "v":
            v = node.get("v")
            if v is not None and type(v) not in (bool, str):
                raise CodecError("malformed plain value")
            return v
        if tag == "int":
            return int(str(node["v"]))
        if tag == "float":
            return float(str(node["v"]))
        if tag == "tensor":
            return _tensor(node)
        if tag == "ndarray":
            return _array(node)
        if tag == "npscalar":
            return _array(node)[()]
        if tag in ("list", "tuple"):
            items = [self.decode(v, depth + 1) for v in _checked(node.get("v"), list)]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {str(k): self.decode(v, depth + 1) for k, v in _checked(node.get("v"), dict).items()}
        if tag == "generator":
            return GeneratorState(base64.b64decode(node.get("state", ""), validate=True))
        if tag == "module":
            attrs = {str(k): self.decode(v, depth + 1) for k, v in _checked(node.get("attrs"), dict).items()}
            state = {str(k): _tensor(v) for k, v in _checked(node.get("state"), dict).items()}
            return ModuleAnswer(str(node.get("class"))[:200], attrs, state)
        if tag == "opaque":
            return Opaque(str(node.get("type"))[:200])
        raise CodecError(f"unknown tag {tag!r}")


def _checked(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise CodecError("malformed value")
    return value


def decode(node: Any) -> Any:
    """Rebuild a value from :func:`encode`'s tree; only plain data ever comes out."""
    return _Decoder().decode(node)


def to_worker_value(value: Any) -> Any:
    """On the worker's side: a decoded argument as the student's function should receive it."""
    if isinstance(value, GeneratorState):
        g = torch.Generator()
        g.set_state(torch.frombuffer(bytearray(value.state), dtype=torch.uint8))
        return g
    if type(value) is list:
        return [to_worker_value(v) for v in value]
    if type(value) is tuple:
        return tuple(to_worker_value(v) for v in value)
    if type(value) is dict:
        return {k: to_worker_value(v) for k, v in value.items()}
    return value
