"""What a check talks to: the student's function, seen only through plain data.

A bank check receives an :class:`Answer` and calls it like the student's function:
``answer(x, y)`` returns the decoded *value* (tensors, numbers, lists; never the student's
objects), or raises :class:`StudentRaised` when the student's code raised. ``answer.call(...)``
also asks for gradients, for the arguments after the call (in-place changes) or for a module's
attributes. The same checks run in the student's kernel (:class:`LocalSubject`) and, when
grading, against a sandboxed worker (:class:`mmlearn.grading.session.WorkerSubject`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from .codec import CodecError, decode, encode
from .execute import build_references, call, describe


class StudentRaised(Exception):
    """The student's code raised ``type_name`` (``text`` is its last traceback line)."""

    def __init__(self, type_name: str, text: str, where: str = "") -> None:
        super().__init__(text)
        self.type_name = type_name
        self.text = text
        self.where = where


class WorkerLost(Exception):
    """The worker died, or broke the protocol: the current question is lost, not the others."""


class WorkerTimeout(WorkerLost):
    """The worker did not answer in time (and was killed)."""


class Unreadable(AssertionError):
    """The student's function returned something that cannot cross the boundary."""


@dataclass(frozen=True)
class FunctionInfo:
    """A name in the student's namespace: is it callable, and with which parameters."""

    callable: bool
    type_name: str
    params: list[tuple[str, str, bool]] | None  # (name, kind, has_default), None if unknown


@dataclass(frozen=True)
class CallResult:
    value: Any
    grads: list[Any] | None = None
    args_after: list[Any] | None = None


class Subject(ABC):
    """Where the student's functions live; only plain data comes out."""

    cell_errors: list[str]

    @abstractmethod
    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request (``op`` = ``describe`` or ``call``) and return its answer."""

    def describe(self, name: str) -> FunctionInfo | None:
        info = self.request({"op": "describe", "name": name})
        if not info.get("defined"):
            return None
        params = info.get("params")
        parsed = None
        if isinstance(params, list):
            parsed = [
                (str(p[0]), str(p[1]), bool(p[2])) for p in params if isinstance(p, list) and len(p) == 3
            ]
        return FunctionInfo(bool(info.get("callable")), str(info.get("type", ""))[:100], parsed)

    def provide(self, shipped: list[dict[str, str]]) -> None:
        """Put the reference functions ``shipped`` (``spec.reference_source`` of each question
        used, used before user) into the student's namespace for the current question only."""
        answer = self.request({"op": "provide", "functions": shipped})
        if answer.get("provided") is not True:
            raise WorkerLost(
                f"the grader could not provide the reference functions ({answer.get('refused', '')})"
            )

    def withdraw(self) -> None:  # noqa: B027 (a no-op by default, not abstract)
        """Undo :meth:`provide` (a worker's question process ends anyway: nothing to do)."""

    def call(self, name: str, args: tuple, kwargs: dict, **options: Any) -> CallResult:
        message = {"op": "call", "name": name, "args": encode(list(args)), "kwargs": encode(dict(kwargs))}
        message.update(options)
        answer = self.request(message)
        try:
            if "raised" in answer:
                r = answer["raised"]
                raise StudentRaised(str(r.get("type", "")), str(r.get("text", "")), str(r.get("where", "")))
            if "unreadable" in answer:
                raise Unreadable(
                    f"the grader cannot read what your function returned ({answer['unreadable']})"
                )
            if "refused" in answer:
                raise WorkerLost(str(answer["refused"]))
            grads = decode(answer["grads"]) if "grads" in answer else None
            after = decode(answer["args_after"]) if "args_after" in answer else None
            return CallResult(decode(answer["value"]), grads, after)
        except (CodecError, KeyError, TypeError, ValueError, AttributeError) as err:
            raise WorkerLost(f"the worker's answer is malformed ({type(err).__name__})") from err


class Answer:
    """The student's function ``name`` as a check sees it."""

    def __init__(self, subject: Subject, name: str) -> None:
        self.subject = subject
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.subject.call(self.name, args, kwargs).value

    def call(
        self,
        *args: Any,
        grad: tuple[int, ...] = (),
        return_args: bool = False,
        module_attrs: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> CallResult:
        """Call with options: gradients of ``sum(output)`` wrt ``grad`` arguments, arguments after
        the call (``return_args``), attributes of a returned module (``module_attrs``)."""
        options = {"grad": list(grad), "return_args": return_args, "module_attrs": list(module_attrs)}
        return self.subject.call(self.name, args, kwargs, **options)


class LocalSubject(Subject):
    """The student's own kernel (for ``check(...)`` in a notebook): same data, same checks."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.cell_errors = []
        self._saved: list[tuple[dict[str, Any], str, Any]] = []

    def provide(self, shipped: list[dict[str, str]]) -> None:
        """The reference functions replace the student's own in this namespace and in the globals
        of the student's functions (their notebook), until :meth:`withdraw`."""
        try:
            built = build_references(shipped)
        except Exception as err:
            raise WorkerLost(f"the grader could not build the reference functions ({err})") from err
        spaces = [self.namespace]
        for fn in list(self.namespace.values()):
            g = getattr(fn, "__globals__", None)
            if isinstance(g, dict) and all(g is not s for s in spaces):
                spaces.append(g)
        missing = object()
        for space in spaces:
            for name, fn in built.items():
                self._saved.append((space, name, space.get(name, missing)))
                space[name] = fn
        self._missing = missing

    def withdraw(self) -> None:
        while self._saved:
            space, name, old = self._saved.pop()
            if old is getattr(self, "_missing", None):
                space.pop(name, None)
            else:
                space[name] = old

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        if message["op"] == "describe":
            return describe(self.namespace, message["name"])
        return call(self.namespace[message["name"]], message)
