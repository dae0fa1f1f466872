"""Training: ``fit`` / ``evaluate`` / ``predict`` (CPU or CUDA, seeded, early stopping) and data
parallel training under ``torchrun`` (:mod:`.distributed`), and OGM-GE gradient modulation
against modality imbalance (:mod:`.imbalance`)."""

from .imbalance import LateHeadModel, fit_imbalance, modulate_gradients, ogm_coefficients, split_linear_head
from .loop import History, default_device, evaluate, fit, paired_minibatches, predict, seed_everything

__all__ = [
    "LateHeadModel",
    "fit_imbalance",
    "History",
    "default_device",
    "evaluate",
    "fit",
    "modulate_gradients",
    "ogm_coefficients",
    "paired_minibatches",
    "predict",
    "seed_everything",
    "split_linear_head",
]
