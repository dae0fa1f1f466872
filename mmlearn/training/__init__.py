"""Training: ``fit`` / ``evaluate`` / ``predict`` (CPU or CUDA, seeded, early stopping) and data
parallel training under ``torchrun`` (:mod:`.distributed`), and OGM-GE gradient modulation
against modality imbalance (:mod:`.imbalance`); ``fit_seeds`` trains one vectorised copy of a small
model per seed (:mod:`.seeds`)."""

from .imbalance import LateHeadModel, fit_imbalance, modulate_gradients, ogm_coefficients, split_linear_head
from .loop import History, default_device, evaluate, fit, paired_minibatches, predict, seed_everything
from .seeds import fit_seeds

__all__ = [
    "LateHeadModel",
    "fit_imbalance",
    "History",
    "default_device",
    "evaluate",
    "fit",
    "fit_seeds",
    "modulate_gradients",
    "ogm_coefficients",
    "paired_minibatches",
    "predict",
    "seed_everything",
    "split_linear_head",
]
