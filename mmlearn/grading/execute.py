"""The worker's side of a question: describe a student's function, call it, return plain data.

Everything here runs next to the student's code (in the sandboxed worker, or in the student's
own kernel for :func:`mmlearn.grading.check`); what it returns is only ever *data*, which the
parent decodes and judges. Nothing here decides whether an answer is right.
"""

from __future__ import annotations

import inspect
import traceback
from typing import Any

import torch

from .codec import CodecError, decode, encode, to_worker_value

MAX_ERROR_TEXT = 500
STUDENT_FILE_PREFIX = "<graded cell"
REFERENCE_GLOBALS = ("torch", "nn", "F", "math", "np", "mmlearn")


def reference_namespace() -> dict[str, Any]:
    """The globals a shipped reference function runs with: :data:`REFERENCE_GLOBALS`."""
    import math

    import numpy as np
    import torch.nn.functional as F
    from torch import nn

    import mmlearn

    return {
        "__name__": "mmlearn_reference",
        "torch": torch,
        "nn": nn,
        "F": F,
        "math": math,
        "np": np,
        "mmlearn": mmlearn,
    }


def build_references(shipped: list[dict[str, str]]) -> dict[str, Any]:
    """Rebuild reference functions from their source (``{"name", "def", "source"}`` each, used
    before user) in one fresh namespace, so that they call each other by the student-facing
    names; ``{student-facing name: function}``."""
    ns = reference_namespace()
    built: dict[str, Any] = {}
    for item in shipped:
        name, own, source = str(item["name"]), str(item["def"]), str(item["source"])
        exec(compile(source, f"<reference of {name}>", "exec"), ns)
        ns[name] = built[name] = ns[own]
    return built


def describe(namespace: dict[str, Any], name: str) -> dict[str, Any]:
    """Whether ``name`` is defined and callable, and its parameters (names, kinds, defaults)."""
    if name not in namespace:
        return {"defined": False}
    fn = namespace[name]
    info: dict[str, Any] = {"defined": True, "callable": callable(fn), "type": type(fn).__name__[:100]}
    try:
        params = inspect.signature(fn).parameters.values()
        info["params"] = [[p.name, p.kind.name, p.default is not inspect.Parameter.empty] for p in params]
    except (TypeError, ValueError):
        info["params"] = None
    return info


def student_error(err: BaseException) -> dict[str, str]:
    """An exception of the student's code as text: its type, its message, where in their cells."""
    try:
        text = traceback.format_exception_only(type(err), err)[-1].strip()
    except Exception:  # a __str__ that raises
        text = type(err).__name__
    frames = [
        f"{f.filename}, line {f.lineno}"
        for f in traceback.extract_tb(err.__traceback__)
        if f.filename.startswith(STUDENT_FILE_PREFIX)
    ]
    return {
        "type": type(err).__name__[:100],
        "text": text[:MAX_ERROR_TEXT],
        "where": frames[-1] if frames else "",
    }


def call(fn: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Call ``fn`` with the request's arguments; the answer is encoded plain data.

    ``request`` keys: ``args``/``kwargs`` (encoded), ``grad`` (indices of tensor arguments whose
    gradient of ``sum(output)`` is returned too), ``return_args`` (send the arguments back after
    the call, to see in-place changes), ``module_attrs`` (attributes sent with a returned module).
    """
    try:
        args = to_worker_value(decode(request["args"]))
        kwargs = to_worker_value(decode(request.get("kwargs", {"t": "dict", "v": {}})))
    except (CodecError, KeyError, ValueError) as err:
        return {"refused": f"malformed arguments ({err})"}
    grad = [i for i in request.get("grad", []) if isinstance(i, int) and 0 <= i < len(args)]
    for i in grad:
        if isinstance(args[i], torch.Tensor):
            args[i] = args[i].detach().clone().requires_grad_(True)
    try:
        value = fn(*args, **kwargs)
        grads = None
        if grad:
            if not isinstance(value, torch.Tensor) or not value.requires_grad:
                grads = [None for _ in grad]
            else:
                value.sum().backward()
                grads = [args[i].grad for i in grad]
    except BaseException as err:  # the student's code raised (SystemExit and KeyboardInterrupt too)
        return {"raised": student_error(err)}
    attrs = tuple(str(a) for a in request.get("module_attrs", []))
    try:
        answer: dict[str, Any] = {"value": encode(value, attrs)}
        if grads is not None:
            answer["grads"] = encode(grads)
        if request.get("return_args"):
            answer["args_after"] = encode(list(args))
    except CodecError as err:
        return {"unreadable": str(err)[:MAX_ERROR_TEXT]}
    except BaseException as err:  # e.g. a state_dict() of the student's that raises
        return {"raised": student_error(err)}
    return answer
