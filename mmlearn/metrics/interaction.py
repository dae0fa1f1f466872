r"""Does a model fuse? EMAP, modality ablation and a partial information decomposition.

* :func:`emap_projection` (Hessel & Lee, 2020): the best *additive* approximation of a trained
  two-modality model, computed on a sample; if it predicts as well as the model, the model's
  cross-modal interactions do not matter on that data (:func:`emap_scores`).
* :func:`modality_ablation`: accuracy when one modality is replaced by its mean over the
  sample; a modality whose removal changes nothing is not used.
* :func:`pid`: the Williams-Beer partial information decomposition of ``I(X_1, X_2; Y)`` into
  redundancy, two unique parts and synergy, for discrete variables (:func:`discretize` turns
  features into discrete values), with the plug-in probabilities of the sample.

``fn`` below is any callable that maps a batch of inputs (first axis = samples) to outputs
``(batch, C)`` (logits) or ``(batch,)``; it is called under ``torch.no_grad()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .._validation import check_positive_int
from .scores import accuracy

ModelFn = Callable[..., Tensor]


def _check_pair(x1: object, x2: object, owner: str) -> tuple[Tensor, Tensor]:
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, Tensor) or x.dim() < 1 or x.shape[0] == 0:
            raise ValueError(
                f"{owner}: {name} must be a tensor of shape (n, ...) with n > 0, "
                f"got {getattr(x, 'shape', type(x).__name__)}"
            )
    assert isinstance(x1, Tensor) and isinstance(x2, Tensor)
    if x1.shape[0] != x2.shape[0]:
        raise ValueError(
            f"{owner}: x1 and x2 must have the same number of samples, got {x1.shape[0]} and {x2.shape[0]}"
        )
    return x1, x2


@torch.no_grad()
def emap_projection(fn: ModelFn, x1: Tensor, x2: Tensor, max_pairs: int = 65536) -> Tensor:
    r"""Empirical multimodally-additive projection (EMAP, Hessel & Lee 2020) of ``fn`` on a sample.

    .. math::
        \hat f(x_{1i}, x_{2i}) = \frac 1n \sum_j f(x_{1i}, x_{2j}) + \frac 1n \sum_j f(x_{1j}, x_{2i})
            - \frac 1{n^2} \sum_{j,k} f(x_{1j}, x_{2k}),

    the projection of ``f`` onto functions ``g_1(x_1) + g_2(x_2)`` under the product of the
    empirical marginals (the orthogonal projection in ``L^2`` of that product measure). If ``f``
    is additive, ``f = g_1 + g_2``, then ``hat f = f`` exactly; the difference ``f - hat f`` is
    the part of ``f`` that no additive model has.

    Shapes: ``x1 (n, ...)``, ``x2 (n, ...)`` (vectors or sequences); ``fn(a, b)`` maps
    ``(k, ...)`` inputs to ``(k, C)`` or ``(k,)``. Returns ``hat f`` at the ``n`` observed pairs,
    of the shape and dtype of ``fn(x1, x2)`` (the means are accumulated in float64). Cost:
    ``n^2`` evaluations of ``fn``, in calls of at most ``max_pairs`` pairs (at least one row of
    ``n`` pairs per call).
    """
    owner = "emap_projection"
    x1, x2 = _check_pair(x1, x2, owner)
    check_positive_int(max_pairs, "max_pairs", owner)
    n = x1.shape[0]
    rows = max(1, max_pairs // n)
    row_means: list[Tensor] = []
    col_sums: Tensor | None = None
    tile = (1,) * (x2.dim() - 1)
    for start in range(0, n, rows):
        a = x1[start : start + rows]
        c = a.shape[0]
        out = fn(a.repeat_interleave(n, dim=0), x2.repeat(c, *tile))  # (c n, ...) pairs (i, j)
        dtype = out.dtype
        out = out.reshape(c, n, *out.shape[1:]).double()  # (c, n, C) or (c, n), summed in float64
        row_means.append(out.mean(dim=1))
        col_sums = out.sum(dim=0) if col_sums is None else col_sums + out.sum(dim=0)
    assert col_sums is not None
    row = torch.cat(row_means, dim=0)  # (n, C): mean_j f(x1_i, x2_j)
    col = col_sums / n  # (n, C): mean_j f(x1_j, x2_i)
    return (row + col - row.mean(dim=0)).to(dtype)


@dataclass(frozen=True)
class EMAPResult:
    """Accuracy of a model and of its EMAP projection on the same sample; ``gap = model - emap``:
    near 0 when the model's interactions do not change its predictions."""

    model_accuracy: float
    emap_accuracy: float

    @property
    def gap(self) -> float:
        return self.model_accuracy - self.emap_accuracy


@torch.no_grad()
def emap_scores(fn: ModelFn, x1: Tensor, x2: Tensor, labels: Tensor, max_pairs: int = 65536) -> EMAPResult:
    """Accuracy of ``fn(x1, x2)`` and of :func:`emap_projection` against ``labels (n,)``
    (``fn`` returns logits ``(n, C)``)."""
    x1, x2 = _check_pair(x1, x2, "emap_scores")
    model = accuracy(fn(x1, x2), labels)
    return EMAPResult(model, accuracy(emap_projection(fn, x1, x2, max_pairs), labels))


@torch.no_grad()
def modality_ablation(fn: ModelFn, inputs: Sequence[Tensor], labels: Tensor) -> dict[str, float]:
    """Accuracy of ``fn(*inputs)`` and with each modality replaced by its mean over the sample.

    ``inputs``: ``M`` tensors ``(n, ...)``; ``fn(*inputs)`` returns logits ``(n, C)``. Returns
    ``{"full": acc, "without_0": acc, ..., "without_<M-1>": acc}``; ``without_m`` replaces every
    sample's ``x_m`` by ``mean_i x_m[i]`` (a sequence modality: the mean sequence, position by
    position). A model that does not read modality ``m`` keeps its accuracy (and its outputs)
    exactly; the drop measures how much the predictions depend on ``m`` *given the others*.
    """
    if isinstance(inputs, Tensor) or len(inputs) == 0:
        raise ValueError("modality_ablation: inputs must be a sequence of M tensors (n, ...)")
    n = inputs[0].shape[0]
    if any(x.shape[0] != n for x in inputs):
        raise ValueError(
            f"modality_ablation: every input needs n = {n} rows, got {[x.shape[0] for x in inputs]}"
        )
    result = {"full": accuracy(fn(*inputs), labels)}
    for m, x in enumerate(inputs):
        ablated = list(inputs)
        ablated[m] = x.mean(dim=0, keepdim=True).expand_as(x)  # (n, ...), every row the mean
        result[f"without_{m}"] = accuracy(fn(*ablated), labels)
    return result


def discretize(x: Tensor, n_bins: int = 2) -> Tensor:
    """Discrete values ``(n,)`` in ``{0, ..., n_bins - 1}`` from ``x (n,)`` or ``x (n, d)``.

    A vector feature is first reduced to its projection on its first principal direction (the
    direction of largest variance); the values are then grouped by a one-dimensional k-means
    started at the quantiles ``(k + 1/2) / n_bins``, and the groups numbered from the smallest
    centre up. This keeps the one direction along which the samples vary most: enough for the
    tasks of :func:`~mmlearn.data.make_pid_task` with two values, a crude summary otherwise (use
    the known latents, or cluster, for richer features).
    """
    check_positive_int(n_bins, "n_bins", "discretize")
    if not isinstance(x, Tensor) or x.dim() not in (1, 2) or x.shape[0] == 0:
        raise ValueError(
            f"discretize: x must be a tensor of shape (n,) or (n, d), got {getattr(x, 'shape', type(x))}"
        )
    x = x.double()
    if x.dim() == 2:
        centred = x - x.mean(dim=0)
        direction = torch.linalg.svd(centred, full_matrices=False).Vh[0]  # (d,)
        x = centred @ direction  # (n,)
    # 1-D k-means (Lloyd) from the quantile midpoints: cuts fall in the gaps between clusters
    centres = torch.quantile(x, (torch.arange(n_bins, dtype=x.dtype) + 0.5) / n_bins)  # (n_bins,)
    for _ in range(50):
        codes = (x[:, None] - centres).abs().argmin(dim=1)  # (n,)
        new = torch.stack([x[codes == k].mean() if (codes == k).any() else centres[k] for k in range(n_bins)])
        if torch.equal(new, centres):
            break
        centres = new
    order = centres.argsort()
    return order.argsort()[(x[:, None] - centres).abs().argmin(dim=1)]


@dataclass(frozen=True)
class PID:
    """A partial information decomposition of ``I(X_1, X_2; Y)`` in bits:
    ``redundancy + unique_1 + unique_2 + synergy = total``."""

    redundancy: float
    unique_1: float
    unique_2: float
    synergy: float
    total: float


def _as_codes(v: object, name: str) -> np.ndarray:
    arr = np.asarray(v.detach().cpu() if isinstance(v, Tensor) else v)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"pid: {name} must be a 1-D array of n > 0 integer values, got {arr.dtype} {arr.shape}"
        )
    return np.unique(arr, return_inverse=True)[1].reshape(-1)


def _mutual_information(joint: np.ndarray) -> float:
    """``I(A; B)`` in bits from a joint table ``p(a, b)``."""
    pa, pb = joint.sum(1, keepdims=True), joint.sum(0, keepdims=True)
    nz = joint > 0
    return float((joint[nz] * np.log2(joint[nz] / (pa @ pb)[nz])).sum())


def _specific_information(joint: np.ndarray) -> np.ndarray:
    """``I(Y = y; X) = sum_x p(x | y) log2(p(y | x) / p(y))`` for each ``y``, from ``p(x, y)``."""
    px, py = joint.sum(1, keepdims=True), joint.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, (joint / py) * np.log2(joint / (px * py)), 0.0)
    return terms.sum(0)  # (n_y,)


def pid(x1: Tensor | np.ndarray, x2: Tensor | np.ndarray, y: Tensor | np.ndarray) -> PID:
    r"""Williams-Beer partial information decomposition of discrete ``X_1, X_2, Y`` (in bits).

    With the plug-in distribution ``p(x_1, x_2, y)`` of the ``n`` samples:

    .. math::
        R = I_{\min} = \sum_y p(y) \min_{m} I(Y{=}y; X_m),\quad
        I(Y{=}y; X) = \sum_x p(x \mid y) \log_2 \frac{p(y \mid x)}{p(y)},

        U_m = I(X_m; Y) - R,\qquad S = I(X_1, X_2; Y) - I(X_1; Y) - I(X_2; Y) + R .

    By construction ``R + U_1 + U_2 + S = I(X_1, X_2; Y)``, and ``R, U_1, U_2 >= 0``.
    **Limits.** ``I_min`` measures how much information about each outcome ``y`` both sources
    carry *in amount*, not whether it is the *same* information: for two independent fair bits
    and ``Y = (X_1, X_2)`` it reports 1 bit of redundancy where there is none (Harder et al.,
    2013; Bertschinger et al., 2014 define BROJA, which needs an optimisation, to fix this).
    Plug-in estimates are biased upward for mutual information when the sample is small
    compared with the number of cells ``|X_1| |X_2| |Y|``. On the three tasks of
    :func:`~mmlearn.data.make_pid_task` (``k = 2``) ``I_min`` and BROJA agree: 1 bit of
    redundancy, of unique information in ``x_1``, or of synergy.

    Args: ``x1, x2, y``: integer arrays or tensors ``(n,)`` (any integer labels).
    """
    a, b, c = _as_codes(x1, "x1"), _as_codes(x2, "x2"), _as_codes(y, "y")
    if not len(a) == len(b) == len(c):
        raise ValueError(f"pid: x1, x2 and y need the same length, got {len(a)}, {len(b)}, {len(c)}")
    joint = np.zeros((a.max() + 1, b.max() + 1, c.max() + 1))
    np.add.at(joint, (a, b, c), 1.0)
    joint /= joint.sum()  # p(x1, x2, y)
    p1, p2 = joint.sum(1), joint.sum(0)  # p(x1, y), p(x2, y)
    py = joint.sum((0, 1))
    i1, i2 = _mutual_information(p1), _mutual_information(p2)
    total = _mutual_information(joint.reshape(-1, joint.shape[2]))
    redundancy = float((py * np.minimum(_specific_information(p1), _specific_information(p2))).sum())
    return PID(
        redundancy=redundancy,
        unique_1=i1 - redundancy,
        unique_2=i2 - redundancy,
        synergy=total - i1 - i2 + redundancy,
        total=total,
    )
