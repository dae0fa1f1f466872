"""Does a fusion fuse? Train it on a task of known redundancy, uniqueness or synergy and measure.

:func:`fusion_profile` trains a small classifier (per-modality encoders, the fusion, a head:
:func:`~mmlearn.experiments.robustness.build_small`) on :func:`~mmlearn.data.make_pid_task` and,
on held-out samples, reports its accuracy, the accuracy of its EMAP projection (the best additive
model under the product of the marginals, :func:`~mmlearn.metrics.emap_scores`), its accuracy
with each modality replaced by its mean (:func:`~mmlearn.metrics.modality_ablation`), and the
Williams-Beer PID of its *predictions* with respect to the discretised inputs
(:func:`~mmlearn.metrics.pid`, Liang et al. 2023's use: what the model's outputs carry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ..data import make_pid_task
from ..data.splits import stratified_split
from ..fusion import family
from ..metrics import PID, discretize, emap_scores, modality_ablation, pid
from ..training import fit
from .robustness import build_small


@dataclass(frozen=True)
class FusionProfile:
    """What :func:`fusion_profile` measures (accuracies on the test split, PID in bits)."""

    fusion: str
    family: str
    kind: str
    seed: int
    accuracy: float
    emap_accuracy: float
    without_0: float
    without_1: float
    prediction_pid: PID

    @property
    def emap_gap(self) -> float:
        """``accuracy - emap_accuracy``: how much the model's interactions are worth."""
        return self.accuracy - self.emap_accuracy


def fusion_profile(
    fusion: str,
    kind: str,
    n: int = 1200,
    dim: int = 8,
    noise: float = 0.3,
    epochs: int = 40,
    lr: float = 1e-2,
    batch_size: int = 128,
    embed_dim: int = 16,
    fusion_dim: int = 16,
    hyper: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> FusionProfile:
    """Train ``fusion`` on ``make_pid_task(kind, n, dim, noise=noise, seed=seed)`` (60/20/20 split,
    early stopping on the validation loss) and measure it on the test split. Every
    hyper-parameter is an argument; ``hyper`` defaults to the fusion's ``CPU_HYPER`` entry."""
    data = make_pid_task(kind, n=n, dim=dim, noise=noise, seed=seed).dataset()
    train, val, test = stratified_split(data, 0.2, 0.2, seed=seed)
    torch.manual_seed(seed)
    model, _ = build_small(fusion, data.input_dims, 2, embed_dim, fusion_dim, hyper)
    fit(model, train, val, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, progress=False)
    model.eval()
    x1, x2 = test.modalities
    y = test.labels

    def fn(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return model(a, b)

    scores = emap_scores(fn, x1, x2, y)
    ablation = modality_ablation(fn, [x1, x2], y)
    with torch.no_grad():
        predictions = fn(x1, x2).argmax(dim=1)
    return FusionProfile(
        fusion=fusion,
        family=family(fusion),
        kind=kind,
        seed=seed,
        accuracy=scores.model_accuracy,
        emap_accuracy=scores.emap_accuracy,
        without_0=ablation["without_0"],
        without_1=ablation["without_1"],
        prediction_pid=pid(discretize(x1), discretize(x2), predictions),
    )
