"""Length-prefixed JSON frames over a pipe, read and written against a deadline.

The parent owns both pipes of a worker. It writes one request, then reads exactly one answer,
which must echo the request's random nonce; an answer that is late, too large, malformed or
out of turn ends the worker (costing only that submission's current question).
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

HEADER = struct.Struct(">Q")
MAX_FRAME = 16 << 20  # bytes in one answer; a bigger one is a protocol violation


class ChannelError(RuntimeError):
    """The other side broke the protocol (a malformed, oversized or out-of-turn frame)."""


class ChannelTimeout(ChannelError):
    """The other side did not answer before the deadline."""


class ChannelClosed(ChannelError):
    """The other side closed the pipe (it exited or was killed)."""


def pack(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


def unpack(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise ChannelError(f"malformed frame ({type(err).__name__})") from err
    if not isinstance(message, dict):
        raise ChannelError("malformed frame (not an object)")
    return message


def write_all(fd: int, data: bytes, deadline: float) -> None:
    """Write ``data`` to the non-blocking ``fd`` before ``deadline`` (``time.monotonic``)."""
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ChannelTimeout("the worker stopped reading")
        _, ready, _ = select.select([], [fd], [], left)
        if not ready:
            continue
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        except (BrokenPipeError, OSError) as err:
            raise ChannelClosed("the worker is gone") from err
        view = view[n:]


def read_exactly(fd: int, n: int, deadline: float) -> bytes:
    """Read ``n`` bytes from the non-blocking ``fd`` before ``deadline``."""
    chunks: list[bytes] = []
    while n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ChannelTimeout("no answer before the deadline")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, min(n, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise ChannelClosed("the worker closed its channel")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float, max_bytes: int = MAX_FRAME) -> dict[str, Any]:
    (size,) = HEADER.unpack(read_exactly(fd, HEADER.size, deadline))
    if size > max_bytes:
        raise ChannelError(f"an answer of {size} bytes (more than {max_bytes})")
    return unpack(read_exactly(fd, size, deadline))


def _read_blocking(stream, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def blocking_read_frame(stream) -> dict[str, Any] | None:
    """The worker's side: wait for the next request (``None`` when the parent closed the pipe)."""
    header = _read_blocking(stream, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    body = _read_blocking(stream, size)
    return None if body is None else unpack(body)
