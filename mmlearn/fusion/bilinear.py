"""Bilinear pooling (chapter 6): the full bilinear form, tensor fusion and compact bilinear pooling.

Shapes: every module takes ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` and returns
``(batch, output_dim)``; ``o`` below is ``output_dim``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.functional import append_one, power_normalize
from ..nn.sketch import CountSketch, compact_bilinear
from .base import Fusion
from .registry import register


@register
class Bilinear(Fusion):
    """The full bilinear form ``z_k = x^T W_k y + b_k`` for two modalities.

    ``W`` is a 3-way tensor of shape ``(o, d_1, d_2)``: ``d_1 d_2 o + o`` parameters, which is
    why the rest of Part III factorises it. Wraps :class:`torch.nn.Bilinear`.

    Attributes:
        bilinear: ``nn.Bilinear(d_1, d_2, o)``; ``bilinear.weight`` is ``W``, ``(o, d_1, d_2)``.
    """

    max_modalities = 2

    def __init__(self, input_dims: Sequence[int], output_dim: int, bias: bool = True) -> None:
        super().__init__(input_dims, output_dim)
        d1, d2 = self.input_dims
        self.bilinear = nn.Bilinear(d1, d2, output_dim, bias=bias)

    def fuse(self, x: Tensor, y: Tensor) -> Tensor:
        return self.bilinear(x, y)


def outer_product(inputs: Sequence[Tensor]) -> Tensor:
    """``vec(x_1 ⊗ ... ⊗ x_M)``: ``(batch, d_m)`` each -> ``(batch, prod_m d_m)`` (row-major)."""
    z = inputs[0]
    for x in inputs[1:]:
        z = torch.einsum("bi,bj->bij", z, x).flatten(1)
    return z


@register
class TFN(Fusion):
    """Tensor fusion (TFN): ``z = W vec([x_1; 1] ⊗ ... ⊗ [x_M; 1]) + b`` for ``M >= 2``.

    Appending 1 to every modality makes the outer product contain every lower-order term: the
    entries with all ones but one index hold the unimodal features ``x_m`` themselves, so a
    linear fusion of the ``x_m`` is the special case with the higher-order blocks of ``W`` at 0.
    ``W`` has shape ``(o, prod_m (d_m + 1))``: ``o prod_m (d_m + 1) + o`` parameters.

    Attributes:
        linear: ``nn.Linear(prod_m (d_m + 1), o)``; ``linear.weight.view(o, d_1 + 1, ..., d_M + 1)``
            indexes the weight by modality coordinates, index ``d_m`` being the appended 1.
    """

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        size = 1
        for d in self.input_dims:
            size *= d + 1
        self.linear = nn.Linear(size, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        return self.linear(outer_product([append_one(x) for x in inputs]))


@register
class MCB(Fusion):
    """Multimodal compact bilinear pooling: ``z = W_o norm(psi_1(x_1) * ... * psi_M(x_M)) + b_o``.

    ``psi_m`` are fixed count sketches of size ``D = sketch_dim`` with independent hashes, ``*``
    is circular convolution computed by FFT, so the pooled vector is the count sketch of
    ``x_1 ⊗ ... ⊗ x_M`` at ``O(sum d_m + D log D)`` cost and ``O(D)`` memory per sample.
    ``norm`` is the signed square root followed by L2 normalisation (``normalize=True``) or the
    identity. Trainable parameters: the output layer only, ``D o + o``.

    Attributes:
        sketches: ``nn.ModuleList`` of :class:`mmlearn.nn.sketch.CountSketch`, one per modality,
            with buffers ``hashes`` ``(d_m,)`` and ``signs`` ``(d_m,)``; ``sketches[m].matrix()``
            is the dense ``(d_m, D)`` sketch matrix.
        linear_out: ``nn.Linear(D, o)``.
        sketch_dim: ``D``.
    """

    test_hyper = {"sketch_dim": 16}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        sketch_dim: int = 16000,
        normalize: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.sketch_dim = check_positive_int(sketch_dim, "sketch_dim", "MCB")
        self.normalize = normalize
        generator = torch.Generator().manual_seed(seed)
        self.sketches = nn.ModuleList(CountSketch(d, sketch_dim, generator) for d in self.input_dims)
        self.linear_out = nn.Linear(sketch_dim, output_dim)

    def pool(self, *inputs: Tensor) -> Tensor:
        """The compact bilinear vector before the output layer, ``(batch, D)``."""
        z = compact_bilinear(inputs, [cast(CountSketch, s) for s in self.sketches])
        return power_normalize(z) if self.normalize else z

    def fuse(self, *inputs: Tensor) -> Tensor:
        return self.linear_out(self.pool(*inputs))


# names of mmlearn 0.1, kept for one release
FullBilinear = Bilinear
TensorFusion = TFN
