"""What every benchmark shares: inputs, one timed forward + backward, paired alternating timing,
peak memory of the tensors a pass creates, and a description of the machine.

A ratio of two implementations is measured *paired*: each repeat times both, in an order that
alternates between repeats, and the ratio of that repeat is recorded. On a machine that other
work slows down at random, a slow phase hits both members of a pair, so the median of the
per-pair ratios is far steadier than the ratio of two independent best-of-n times.
"""

from __future__ import annotations

import platform
import statistics
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class ListInput(nn.Module):
    """Calls the wrapped module with a list of inputs (the reference's calling convention)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, xs: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.module(list(xs))


def make_inputs(
    batch: int, dims: Sequence[int], device: torch.device | str = "cpu", dtype=torch.float32, seed: int = 1
) -> list[torch.Tensor]:
    """Seeded standard-normal inputs ``(batch, d)`` for each ``d`` of ``dims``."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, d, generator=g, dtype=dtype).to(device) for d in dims]


def sync(device: torch.device | str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def time_step(
    module: nn.Module, xs: Sequence[torch.Tensor], device: torch.device | str, backward: bool = True
) -> float:
    """Seconds of one ``module(xs)`` (+ backward of its sum), inputs requiring gradients."""
    xs = [x.detach().requires_grad_(backward) for x in xs]
    module.zero_grad(set_to_none=True)
    sync(device)
    start = time.perf_counter()
    if backward:
        module(xs).sum().backward()
    else:
        with torch.no_grad():
            module(xs)
    sync(device)
    return time.perf_counter() - start


@dataclass
class Paired:
    """Times of two implementations measured in alternating pairs (seconds)."""

    a: list[float]
    b: list[float]

    @property
    def ratio(self) -> float:
        """Median over pairs of ``a / b``."""
        return statistics.median(x / y for x, y in zip(self.a, self.b, strict=True))

    @property
    def ratio_of_medians(self) -> float:
        return statistics.median(self.a) / statistics.median(self.b)

    @property
    def ratio_of_minima(self) -> float:
        return min(self.a) / min(self.b)


def paired_times(
    a: nn.Module,
    b: nn.Module,
    xs: Sequence[torch.Tensor],
    device: torch.device | str,
    repeats: int,
    warmup: int = 3,
    budget_s: float | None = None,
    backward: bool = True,
) -> Paired:
    """Time ``a`` and ``b`` ``repeats`` times each, alternating which goes first.

    Stops early after ``budget_s`` seconds (at least 5 pairs)."""
    for _ in range(warmup):
        time_step(a, xs, device, backward)
        time_step(b, xs, device, backward)
    out = Paired([], [])
    start = time.perf_counter()
    for i in range(repeats):
        if i % 2 == 0:
            out.a.append(time_step(a, xs, device, backward))
            out.b.append(time_step(b, xs, device, backward))
        else:
            out.b.append(time_step(b, xs, device, backward))
            out.a.append(time_step(a, xs, device, backward))
        if budget_s is not None and i >= 4 and time.perf_counter() - start > budget_s:
            break
    return out


class PeakMemory(TorchDispatchMode):
    """Peak bytes of the tensor storages created inside the ``with`` block and still alive.

    Every operator's outputs are recorded (keyed by storage) and released when the tensor
    object dies; works on every device, unlike the CPU allocator, which keeps no statistics.
    """

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, int] = {}
        self.current = self.peak = 0

    def _free(self, key: int) -> None:
        self.current -= self.live.pop(key, 0)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.untyped_storage().nbytes() > 0:
                key = t.untyped_storage().data_ptr()
                if key not in self.live:
                    self.live[key] = t.untyped_storage().nbytes()
                    self.current += self.live[key]
                    self.peak = max(self.peak, self.current)
                    weakref.finalize(t, self._free, key)
        return out


def peak_bytes(module: nn.Module, xs: Sequence[torch.Tensor]) -> int:
    """Peak memory of the tensors created by one forward + backward pass."""
    xs = [x.detach().requires_grad_() for x in xs]
    module.zero_grad(set_to_none=True)
    tracker = PeakMemory()
    with tracker:
        module(xs).sum().backward()
    return tracker.peak


def machine_info(device: torch.device | str) -> dict:
    device = torch.device(device)
    return {
        "torch": torch.__version__,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
    }
