"""The ``Fusion`` base class: one signature, one input check and one output for every fusion.

The contract, for every registered fusion:

* construction: ``Fusion(input_dims, output_dim, **hyper)``;
* call: ``fusion(x_1, ..., x_M)`` or ``fusion([x_1, ..., x_M])`` returns **one** tensor of shape
  ``(batch, output_dim)``;
* ``fusion(..., return_weights=True)`` returns a :class:`FusionOutput` ``(fused, weights)`` whose
  ``weights`` is a dict of named tensors (the attention weights or gates the fusion computed; an
  empty dict for fusions without any; the keys are listed in the class's ``weight_names``);
* ``fusion(..., masks=[m_1, ..., m_M])`` passes one presence mask (or ``None``) per modality to the
  fusions whose ``supports_masks`` is True: a bool tensor ``(batch,)`` for a vector modality
  (``True`` = the modality is present for that sample) or ``(batch, length_m)`` for a sequence
  (``True`` = that position is present). Other fusions raise a ``ValueError`` if a mask is given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar, NamedTuple, NoReturn

import torch
from torch import Tensor, nn

from ..nn.masking import check_mask
from ..nn.utils import count_params

#: Masks as passed to a fusion: ``None`` or one entry (a bool tensor or ``None``) per modality.
Masks = Sequence[Tensor | None] | None

_LIST_OR_TUPLE = (list, tuple)
_OLD_MASK_KEYWORDS = ("mask", "query_mask", "key_mask", "question_mask", "region_mask")


class FusionOutput(NamedTuple):
    """What ``fusion(..., return_weights=True)`` returns: ``fused``, the ``(batch, output_dim)``
    tensor a plain call returns, and ``weights``, the named attention weights or gates, e.g.
    ``{"modalities": (batch, M)}`` (the keys and shapes of each fusion are listed in its docstring
    and in its ``weight_names``)."""

    fused: Tensor
    weights: dict[str, Tensor]


def _shape_text(ndim: int, dim: int) -> str:
    return f"(batch, dim={dim})" if ndim == 2 else f"(batch, length, dim={dim})"


class Fusion(nn.Module, ABC):
    """Base class of every fusion: ``M`` modality tensors in, one ``(batch, output_dim)`` out.

    Subclasses implement :meth:`fuse`. :meth:`forward` validates inputs and masks first, so that
    a wrong number of modalities, a wrong feature size, mismatched batches, an empty batch,
    mixed dtypes/devices or a malformed mask raise a ``ValueError``/``TypeError`` that names the
    argument and the expected shape instead of a bare matrix-multiplication error.

    ``fuse(*inputs)`` returns the fused tensor; a fusion that computes weights
    (``weight_names`` not empty) returns a :class:`FusionOutput` from ``fuse`` and the base class
    drops the weights unless they were asked for. A fusion with ``supports_masks = True``
    receives ``masks=`` (a tuple with one validated mask or ``None`` per modality, or ``None``
    when no mask was given) as a keyword of ``fuse``.

    Args:
        input_dims: feature size ``d_m`` of each modality ``m = 1..M``.
        output_dim: size of the fused vector.

    Attributes:
        input_ndim: 2 for vector inputs ``(batch, d_m)``; 3 for sequences ``(batch, length_m, d_m)``.
        min_modalities, max_modalities: how many modalities the method accepts (``None``: no limit).
        supports_masks: whether ``forward`` accepts ``masks=``.
        weight_names: the keys of ``FusionOutput.weights`` (empty for fusions without weights).
        decision_level: True when the output is already a score per class (late fusion), so a
            classifier puts no head after it.
        registry_name: the canonical name under which :func:`~mmlearn.fusion.register` put it.
        test_hyper: small hyper-parameters used by the generic tests and the documentation.
    """

    input_ndim: ClassVar[int] = 2
    min_modalities: ClassVar[int] = 2
    max_modalities: ClassVar[int | None] = None
    supports_masks: ClassVar[bool] = False
    weight_names: ClassVar[tuple[str, ...]] = ()
    decision_level: ClassVar[bool] = False
    registry_name: ClassVar[str] = ""
    test_hyper: ClassVar[dict[str, Any]] = {}

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
        return count_params(self)

    def forward(
        self,
        *inputs: Tensor | Sequence[Tensor],
        masks: Masks = None,
        return_weights: bool = False,
        **unexpected: Any,
    ) -> Any:
        """Validate, then fuse: ``(batch, output_dim)``, or a :class:`FusionOutput` when
        ``return_weights=True``. Accepts ``f(x1, x2)`` or ``f([x1, x2])``."""
        if unexpected:
            self._reject(unexpected)
        if len(inputs) == 1 and isinstance(inputs[0], _LIST_OR_TUPLE):
            inputs = tuple(inputs[0])
        tensors = self.check_inputs(inputs)
        if self.supports_masks:
            out = self.fuse(*tensors, masks=self.check_masks(masks, tensors))
        else:
            if masks is not None and any(m is not None for m in masks):
                raise ValueError(
                    f"{type(self).__name__} does not take masks (supports_masks is False); "
                    "zero a missing modality's features instead, or use a fusion that supports masks"
                )
            out = self.fuse(*tensors)
        if self.weight_names:
            fused, weights = out
        else:
            fused, weights = out, {}
        return FusionOutput(fused, weights) if return_weights else fused

    def _reject(self, unexpected: dict[str, Any]) -> None:
        name = type(self).__name__
        old = [k for k in unexpected if k in _OLD_MASK_KEYWORDS]
        if old:
            raise TypeError(
                f"{name}: the keyword {old[0]!r} was replaced by masks=[...], one mask (or None) "
                f"per modality, in mmlearn 0.2"
            )
        raise TypeError(f"{name}.forward got unexpected keyword arguments {sorted(unexpected)}")

    @abstractmethod
    def fuse(self, *inputs: Any, **kwargs: Any) -> Any:
        """The fusion itself on validated inputs: the fused ``(batch, output_dim)`` tensor, or a
        :class:`FusionOutput` for a fusion with ``weight_names``."""

    def check_masks(self, masks: Masks, inputs: Sequence[Tensor]) -> tuple[Tensor | None, ...] | None:
        """Validate ``masks``: one entry per modality, each ``None`` or a bool tensor of shape
        ``(batch,)`` (vector inputs) or ``(batch, length_m)`` (sequence inputs). For vector inputs
        every sample must keep at least one modality."""
        if masks is None:
            return None
        name = type(self).__name__
        if isinstance(masks, Tensor) or not isinstance(masks, Sequence) or len(masks) != len(inputs):
            raise ValueError(
                f"{name}: masks must be a list with one bool mask (or None) per modality "
                f"({len(inputs)} entries), got {type(masks).__name__}"
                + (f" of length {len(masks)}" if isinstance(masks, Sequence) else "")
            )
        checked = tuple(
            check_mask(m, f"masks[{i}]", name, x, None if self.input_ndim == 2 else x.shape[1])
            for i, (m, x) in enumerate(zip(masks, inputs, strict=True))
        )
        if all(m is None for m in checked):
            return None
        if self.input_ndim == 2:
            present = torch.stack(
                [
                    torch.ones_like(m_or_x[:, 0], dtype=torch.bool) if m is None else m
                    for m, m_or_x in zip(checked, inputs, strict=True)
                ],
                dim=1,
            )
            empty = (~present.any(dim=1)).nonzero().flatten()
            if len(empty):
                raise ValueError(
                    f"{name}: masks leave no modality present in rows {empty.tolist()}; "
                    "every sample needs at least one"
                )
        return checked

    def check_inputs(self, inputs: Sequence[Any]) -> tuple[Tensor, ...]:
        """Check count, type, rank, feature size, batch size, dtype and device of the inputs.

        The happy path costs a few hundred nanoseconds per input (a shape, a dtype identity and
        a device index); the detailed diagnosis runs only when something is wrong."""
        if len(inputs) != len(self.input_dims):
            self._raise_count(len(inputs))
        first = inputs[0]
        try:
            batch, dtype, device = first.shape[0], first.dtype, first.get_device()
            ndim = self.input_ndim
            ok = batch > 0 and isinstance(first, Tensor) and first.is_floating_point()
            for x, d in zip(inputs, self.input_dims, strict=True):
                shape = x.shape
                ok = ok and (
                    len(shape) == ndim
                    and shape[-1] == d
                    and shape[0] == batch
                    and x.dtype is dtype
                    and x.get_device() == device
                )
        except (AttributeError, TypeError, IndexError):
            ok = False
        if not ok:
            self._diagnose(inputs)  # raises the error that names the argument
        param = self._reference_parameter()
        if param is not None and (param.dtype is not dtype or param.get_device() != device):
            raise TypeError(
                f"{type(self).__name__}: inputs are {first.dtype} on {first.device} but the module's "
                f"parameters are {param.dtype} on {param.device}; call .to(dtype/device) on one of them"
            )
        return tuple(inputs)

    def _reference_parameter(self) -> Tensor | None:
        """The first parameter, whose dtype and device the inputs must match (cached)."""
        return self.cached("first_parameter", self._first_parameter)

    def _first_parameter(self) -> Tensor | None:
        return next(self.parameters(), None)

    def cached(self, key: Hashable, build: Callable[..., Any], *args: Any) -> Any:
        """``build(*args)``, computed once and kept until the parameters change:
        ``.to()``/``.double()``/``.cuda()`` (``_apply``), ``load_state_dict`` and assigning a
        tensor or submodule to this module clear it. Hot paths use it to skip walking
        ``parameters()`` or ``nn.Module.__getattr__`` on every call (a few microseconds each)."""
        cache = self.__dict__.get("_fusion_cache")
        if cache is None:
            cache = self.__dict__["_fusion_cache"] = {}
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = build(*args)
            return value

    def _clear_cache(self) -> None:
        self.__dict__.pop("_fusion_cache", None)

    def _apply(self, fn: Callable[..., Any], recurse: bool = True) -> Any:
        self._clear_cache()
        return super()._apply(fn, recurse)

    def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        self._clear_cache()
        return super().load_state_dict(*args, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Tensor | nn.Module):
            self.__dict__.pop("_fusion_cache", None)
        super().__setattr__(name, value)

    def _raise_count(self, got: int) -> None:
        expected = ", ".join(_shape_text(self.input_ndim, d) for d in self.input_dims)
        raise ValueError(
            f"{type(self).__name__}: expected {self.n_modalities} modality inputs with shapes "
            f"[{expected}], got {got}"
        )

    def _diagnose(self, inputs: Sequence[Any]) -> NoReturn:
        """Raise the precise error for inputs that failed the fast check."""
        name, ndim = type(self).__name__, self.input_ndim
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
        raise ValueError(  # the fast check failed for a reason not listed above
            f"{name}: inputs {[(type(x).__name__, tuple(getattr(x, 'shape', ()))) for x in inputs]} "
            f"do not match input_dims {self.input_dims}"
        )

    def extra_repr(self) -> str:
        return f"input_dims={self.input_dims}, output_dim={self.output_dim}"


def stack_modalities(inputs: Sequence[Tensor]) -> Tensor:
    """Stack ``M`` tensors of shape ``(batch, d)`` into ``(batch, M, d)``."""
    return torch.stack(list(inputs), dim=1)


def stack_masks(masks: Sequence[Tensor | None] | None, like: Tensor) -> Tensor | None:
    """Validated per-modality masks ``(batch,)`` (or ``None``) -> one ``(batch, M)`` bool mask,
    ``None`` when no modality is masked. ``like`` is any input (it gives batch and device)."""
    if masks is None:
        return None
    full = torch.ones(like.shape[0], dtype=torch.bool, device=like.device)
    return torch.stack([full if m is None else m for m in masks], dim=1)


def zero_masked(inputs: Sequence[Tensor], masks: Sequence[Tensor | None] | None) -> list[Tensor]:
    """Vector inputs with the features of absent modalities set to 0, so that nothing computed
    from them (a gate reading every modality, say) depends on what a missing modality held."""
    if masks is None:
        return list(inputs)
    return [x if m is None else x * m.unsqueeze(-1).to(x.dtype) for x, m in zip(inputs, masks, strict=True)]
