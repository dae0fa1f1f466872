"""Robustness of a fusion to a missing modality and to growing noise in one modality (chapter 11).

The same protocol for every fusion in the registry: build ``build_classifier(name, ...)``, train
it with :func:`mmlearn.training.fit` (optionally under :class:`~mmlearn.models.ModalityDropout`),
then measure test accuracy

* clean;
* with each modality missing in turn (replaced by 0, the training mean of standardised features);
* with Gaussian noise of standard deviation ``sigma`` added to one modality, for growing ``sigma``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from ..data import MultimodalDataset
from ..data.augment import drop_modality, noisy_modality
from ..fusion import family, get
from ..models import ModalityDropout, build_classifier
from ..nn import count_params
from ..training import evaluate, fit
from .config import CPU_HYPER

#: The representative of a family module when several of its fusions are registered.
PREFERRED = ("concat", "gmu", "hybrid_pool", "tfn", "mlb", "mutan", "block", "two_tower_gate", "film")


def representatives(names: Sequence[str], preferred: Sequence[str] = PREFERRED) -> list[str]:
    """One fusion per family module: a preferred name if the family has one, else the first."""
    chosen: dict[str, str] = {}
    for name in sorted(names):
        fam = family(name)
        if fam not in chosen or (name in preferred and chosen[fam] not in preferred):
            chosen[fam] = name
    return [chosen[f] for f in sorted(chosen)]


@dataclass
class RobustnessResult:
    """Accuracies of one trained fusion under the three conditions."""

    fusion: str
    family: str
    n_params: int
    clean: float
    missing: dict[str, float]
    noisy_modality: str
    noise_levels: list[float]
    noisy: list[float]
    train_seconds: float = 0.0
    hyper: dict[str, Any] = field(default_factory=dict)


def evaluate_robustness(
    model: nn.Module,
    test: MultimodalDataset,
    noisy: str | int = 0,
    noise_levels: Sequence[float] = (0.0, 0.5, 1.0, 2.0, 4.0),
    seed: int = 0,
) -> dict[str, Any]:
    """Accuracy of a trained ``model`` on ``test``: clean, each modality missing, noise in one.

    Returns ``{"clean": a, "missing": {name: a}, "noisy": [a per level]}``. Noise draws are
    seeded (``seed + level index``), so two models see the same corrupted test set.
    """
    if len(test) == 0:
        raise ValueError("evaluate_robustness: the test set is empty")
    if any(s < 0 for s in noise_levels):
        raise ValueError(f"evaluate_robustness: noise levels must be >= 0, got {list(noise_levels)}")
    clean = evaluate(model, test)["accuracy"]
    missing = {name: evaluate(model, drop_modality(test, name))["accuracy"] for name in test.names}
    curve = [
        evaluate(model, noisy_modality(test, noisy, s, seed + i))["accuracy"]
        for i, s in enumerate(noise_levels)
    ]
    return {"clean": clean, "missing": missing, "noisy": curve}


def build_small(
    fusion: str,
    input_dims: Sequence[int],
    n_classes: int,
    embed_dim: int = 16,
    fusion_dim: int = 32,
    hyper: Mapping[str, Any] | None = None,
) -> tuple[nn.Module, dict]:
    """``build_classifier`` with ``hyper`` (default: the fusion's entry of :data:`CPU_HYPER`).

    A hyper-parameter the fusion does not accept raises, as any typo must: there is no silent
    fallback to the (much larger) paper-size defaults.
    """
    used = dict(CPU_HYPER.get(get(fusion).registry_name, {}) if hyper is None else hyper)
    return build_classifier(fusion, input_dims, n_classes, embed_dim, fusion_dim, **used), used


def robustness_curve(
    fusion: str,
    train: MultimodalDataset,
    test: MultimodalDataset,
    val: MultimodalDataset | None = None,
    noisy: str | int = 0,
    noise_levels: Sequence[float] = (0.0, 0.5, 1.0, 2.0, 4.0),
    modality_dropout: float = 0.0,
    epochs: int = 6,
    lr: float = 3e-3,
    batch_size: int = 128,
    embed_dim: int = 16,
    fusion_dim: int = 32,
    hyper: Mapping[str, Any] | None = None,
    seed: int = 0,
    device: str | None = None,
) -> RobustnessResult:
    """Train the fusion named ``fusion`` on ``train`` and measure its robustness on ``test``.

    ``modality_dropout > 0`` trains under :class:`ModalityDropout` with that probability.
    Any vector-input fusion of the registry works (``mmlearn.fusion.available()``).
    """
    cls = get(fusion)
    if cls.input_ndim != 2:
        raise ValueError(
            f"robustness_curve: {fusion!r} takes sequence inputs; use a vector fusion "
            "(see mmlearn.fusion.available(input_ndim=2))"
        )
    if train.names != test.names:
        raise ValueError(f"robustness_curve: train has modalities {train.names}, test {test.names}")
    model, used = build_small(fusion, train.input_dims, train.n_classes, embed_dim, fusion_dim, hyper)
    n_params = count_params(model)
    wrapped = ModalityDropout(model, modality_dropout, seed) if modality_dropout > 0 else model
    start = time.perf_counter()
    fit(
        wrapped,
        train,
        val,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        progress=False,
        patience=None,
        device=device,
    )
    seconds = time.perf_counter() - start
    scores = evaluate_robustness(wrapped, test, noisy, noise_levels, seed)
    noisy_name = test.names[noisy] if isinstance(noisy, int) else noisy
    return RobustnessResult(
        fusion,
        family(fusion),
        n_params,
        scores["clean"],
        scores["missing"],
        noisy_name,
        [float(s) for s in noise_levels],
        scores["noisy"],
        seconds,
        used,
    )
