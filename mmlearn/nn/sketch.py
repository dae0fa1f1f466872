"""Count sketch and circular convolution: the two pieces of compact bilinear pooling (MCB).

Notation: a count sketch of size ``D`` is defined by a hash ``h: {0..d-1} -> {0..D-1}`` and a
sign ``s: {0..d-1} -> {-1, +1}``, both drawn uniformly and independently once and then fixed:

    psi(x)_j = sum_{i : h(i) = j} s(i) x_i,        x of shape (..., d) -> psi(x) of shape (..., D).

``psi`` is linear: ``psi(x) = x C`` with the sparse ``(d, D)`` matrix ``C[i, h(i)] = s(i)``.
For two sketches with independent ``(h1, s1)`` and ``(h2, s2)``, the sketch of the outer
product ``x ⊗ y`` under the combined hash ``h(i, j) = (h1(i) + h2(j)) mod D`` and sign
``s1(i) s2(j)`` equals the circular convolution ``psi1(x) * psi2(y)``, which the convolution
theorem computes as ``irfft(rfft(psi1(x)) rfft(psi2(y)))`` in ``O(d + D log D)`` instead of the
``O(d1 d2)`` of the explicit outer product.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


def count_sketch(x: Tensor, hashes: Tensor, signs: Tensor, sketch_dim: int) -> Tensor:
    """``psi(x)_j = sum_{i: h(i)=j} s(i) x_i`` along the last axis.

    Args:
        x: ``(..., d)``.
        hashes: ``(d,)`` integer bucket of every coordinate, in ``[0, sketch_dim)``.
        signs: ``(d,)`` entries ``+-1`` (same dtype as ``x``, or castable to it).
        sketch_dim: ``D``.

    Returns:
        ``(..., D)``. Cost ``O(d)`` per vector; differentiable in ``x``.
    """
    if hashes.shape != x.shape[-1:] or signs.shape != x.shape[-1:]:
        raise ValueError(
            f"count_sketch: hashes and signs must have shape ({x.shape[-1]},) to match x of shape "
            f"{tuple(x.shape)}, got {tuple(hashes.shape)} and {tuple(signs.shape)}"
        )
    out = x.new_zeros(*x.shape[:-1], sketch_dim)
    return out.index_add(-1, hashes.to(x.device), x * signs.to(x.dtype))


def circular_convolution(*sketches: Tensor) -> Tensor:
    """Circular convolution of ``M >= 1`` signals of length ``D`` along the last axis, via FFT.

    ``(a * b)_k = sum_j a_j b_{(k - j) mod D}``; by the convolution theorem
    ``a * b = irfft(rfft(a) rfft(b))``. Shapes: each ``(..., D)`` -> ``(..., D)``.
    """
    if not sketches:
        raise ValueError("circular_convolution: need at least one signal")
    d = sketches[0].shape[-1]
    spectrum = torch.fft.rfft(sketches[0], dim=-1)
    for s in sketches[1:]:
        spectrum = spectrum * torch.fft.rfft(s, dim=-1)
    return torch.fft.irfft(spectrum, n=d, dim=-1)


def draw_hashes(d: int, sketch_dim: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Uniform hashes ``(d,)`` in ``[0, sketch_dim)`` and uniform signs ``(d,)`` in ``{-1, +1}``."""
    hashes = torch.randint(sketch_dim, (d,), generator=generator)
    signs = torch.randint(2, (d,), generator=generator).float() * 2 - 1
    return hashes, signs


class CountSketch(nn.Module):
    """A fixed count sketch ``(..., d) -> (..., sketch_dim)``.

    Buffers (not parameters: they are drawn once and never trained):
        hashes: ``(d,)`` long, ``h(i)``.
        signs: ``(d,)`` float, ``s(i)``.
    """

    hashes: Tensor
    signs: Tensor

    def __init__(self, input_dim: int, sketch_dim: int, generator: torch.Generator | None = None):
        super().__init__()
        if generator is None:
            generator = torch.Generator().manual_seed(0)
        self.input_dim, self.sketch_dim = input_dim, sketch_dim
        hashes, signs = draw_hashes(input_dim, sketch_dim, generator)
        self.register_buffer("hashes", hashes)
        self.register_buffer("signs", signs)

    def forward(self, x: Tensor) -> Tensor:
        return count_sketch(x, self.hashes, self.signs, self.sketch_dim)

    def matrix(self) -> Tensor:
        """The dense ``(d, D)`` matrix ``C`` with ``psi(x) = x @ C`` (``C[i, h(i)] = s(i)``)."""
        c = torch.zeros(self.input_dim, self.sketch_dim, dtype=self.signs.dtype, device=self.signs.device)
        c[torch.arange(self.input_dim, device=c.device), self.hashes] = self.signs
        return c

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, sketch_dim={self.sketch_dim}"


def compact_bilinear(inputs: Sequence[Tensor], sketches: Sequence[CountSketch]) -> Tensor:
    """``psi_1(x_1) * ... * psi_M(x_M)``: the sketch of ``x_1 ⊗ ... ⊗ x_M``, ``(batch, D)``."""
    return circular_convolution(*[s(x) for s, x in zip(sketches, inputs, strict=True)])


def sketch_outer_product(x: Tensor, y: Tensor, first: CountSketch, second: CountSketch) -> Tensor:
    """The same sketch computed the slow way, by materialising ``x ⊗ y``: ``(batch, d1 d2)`` memory.

    Combined hash ``(h1(i) + h2(j)) mod D`` and sign ``s1(i) s2(j)``; shapes ``(batch, d1)``,
    ``(batch, d2)`` -> ``(batch, D)``. Used by tests and the benchmark as the O(d1 d2) reference.
    """
    d = first.sketch_dim
    outer = torch.einsum("bi,bj->bij", x, y).flatten(1)
    hashes = ((first.hashes[:, None] + second.hashes[None, :]) % d).flatten()
    signs = (first.signs[:, None] * second.signs[None, :]).flatten()
    return count_sketch(outer, hashes, signs, d)
