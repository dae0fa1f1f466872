"""The ``Fusion`` base class: one signature and one input check for every fusion method."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn


def _shape_text(ndim: int, dim: int) -> str:
    return f"(batch, dim={dim})" if ndim == 2 else f"(batch, length, dim={dim})"


class Fusion(nn.Module, ABC):
    """Base class of every fusion: ``M`` modality tensors in, one ``(batch, output_dim)`` out.

    Subclasses implement :meth:`fuse`; :meth:`forward` validates the inputs first, so that a
    wrong number of modalities, a wrong feature size, mismatched batches, an empty batch or
    mixed dtypes/devices raise a ``ValueError``/``TypeError`` that names the argument and the
    expected shape instead of a bare matrix-multiplication error.

    Args:
        input_dims: feature size ``d_m`` of each modality ``m = 1..M``.
        output_dim: size of the fused vector.

    Attributes:
        input_ndim: 2 for vector inputs ``(batch, d_m)``; 3 for sequence inputs
            ``(batch, length_m, d_m)``. A class attribute a subclass may set.
        min_modalities: the fewest modalities the method accepts (class attribute).
        max_modalities: the most modalities the method accepts, ``None`` for no limit.
        example_hyper: small hyper-parameters used by the generic tests and the docs.
    """

    input_ndim: ClassVar[int] = 2
    min_modalities: ClassVar[int] = 2
    max_modalities: ClassVar[int | None] = None
    example_hyper: ClassVar[dict[str, Any]] = {}

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(input_dims, int | str) or not isinstance(input_dims, Sequence):
            raise TypeError(
                f"{name}: input_dims must be a sequence of positive ints, one per modality, "
                f"got {input_dims!r}"
            )
        dims = tuple(input_dims)
        if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
            raise ValueError(f"{name}: every entry of input_dims must be a positive int, got {dims}")
        n = len(dims)
        upper = self.max_modalities
        if n < self.min_modalities or (upper is not None and n > upper):
            expected = (
                f"exactly {upper}"
                if upper == self.min_modalities
                else f"at least {self.min_modalities}"
                if upper is None
                else f"{self.min_modalities} to {upper}"
            )
            raise ValueError(f"{name}: input_dims must list {expected} modalities, got {n}: {dims}")
        if not isinstance(output_dim, int) or isinstance(output_dim, bool) or output_dim <= 0:
            raise ValueError(f"{name}: output_dim must be a positive int, got {output_dim!r}")
        self.input_dims: tuple[int, ...] = dims
        self.output_dim: int = output_dim

    @property
    def n_modalities(self) -> int:
        return len(self.input_dims)

    @property
    def n_params(self) -> int:
        """Number of trainable parameters (fixed buffers such as sketch hashes do not count)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, *inputs: Tensor | Sequence[Tensor], **kwargs: Any) -> Any:
        """Validate the inputs, then call :meth:`fuse`. Accepts ``f(x1, x2)`` or ``f([x1, x2])``."""
        if len(inputs) == 1 and isinstance(inputs[0], list | tuple):
            inputs = tuple(inputs[0])
        tensors = self.check_inputs(inputs)  # type: ignore[arg-type]
        return self.fuse(*tensors, **kwargs)

    @abstractmethod
    def fuse(self, *inputs: Tensor, **kwargs: Any) -> Any:
        """The fusion itself; inputs are already validated. Returns ``(batch, output_dim)``."""

    def check_inputs(self, inputs: Sequence[Any]) -> tuple[Tensor, ...]:
        """Check count, type, rank, feature size, batch size, dtype and device of the inputs."""
        name = type(self).__name__
        ndim = self.input_ndim
        if len(inputs) != self.n_modalities:
            expected = ", ".join(_shape_text(ndim, d) for d in self.input_dims)
            raise ValueError(
                f"{name}: expected {self.n_modalities} modality inputs with shapes [{expected}], "
                f"got {len(inputs)}"
            )
        for i, x in enumerate(inputs):
            if not isinstance(x, Tensor):
                raise TypeError(f"{name}: input {i} must be a torch.Tensor, got {type(x).__name__}")
            if not x.is_floating_point():
                raise TypeError(f"{name}: input {i} must be a floating-point tensor, got dtype {x.dtype}")
            if x.dim() != ndim:
                raise ValueError(
                    f"{name}: input {i} must have shape {_shape_text(ndim, self.input_dims[i])}, "
                    f"got {tuple(x.shape)}"
                )
            if x.shape[-1] != self.input_dims[i]:
                raise ValueError(
                    f"{name}: input {i} has feature size {x.shape[-1]} but input_dims[{i}] = "
                    f"{self.input_dims[i]}; expected shape {_shape_text(ndim, self.input_dims[i])}, "
                    f"got {tuple(x.shape)}"
                )
        first = inputs[0]
        batches = [x.shape[0] for x in inputs]
        if len(set(batches)) != 1:
            raise ValueError(f"{name}: all inputs must share the batch size, got batch sizes {batches}")
        if batches[0] == 0:
            raise ValueError(f"{name}: empty batch: inputs have shapes {[tuple(x.shape) for x in inputs]}")
        for i, x in enumerate(inputs):
            if x.dtype != first.dtype:
                raise TypeError(
                    f"{name}: all inputs must share one dtype; input 0 is {first.dtype}, "
                    f"input {i} is {x.dtype}"
                )
            if x.device != first.device:
                raise ValueError(
                    f"{name}: all inputs must be on one device; input 0 is on {first.device}, "
                    f"input {i} is on {x.device}"
                )
        param = next(self.parameters(), None)
        if param is not None and (param.dtype != first.dtype or param.device != first.device):
            raise TypeError(
                f"{name}: inputs are {first.dtype} on {first.device} but the module's parameters are "
                f"{param.dtype} on {param.device}; call .to(dtype/device) on one of them"
            )
        return tuple(inputs)

    def extra_repr(self) -> str:
        return f"input_dims={self.input_dims}, output_dim={self.output_dim}"


def check_positive_int(owner: str, name: str, value: Any) -> int:
    """Return ``value`` if it is a positive int, else raise a ValueError naming ``name``."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return value


def check_choice(owner: str, name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {list(choices)}, got {value!r}")
    return value


def stack_modalities(inputs: Sequence[Tensor]) -> Tensor:
    """Stack ``M`` tensors of shape ``(batch, d)`` into ``(batch, M, d)``."""
    return torch.stack(list(inputs), dim=1)
