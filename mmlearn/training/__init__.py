"""Training: ``fit`` / ``evaluate`` / ``predict`` (CPU or CUDA, seeded, early stopping) and data
parallel training under ``torchrun`` (:mod:`.distributed`)."""

from .loop import History, default_device, evaluate, fit, predict, seed_everything

__all__ = ["History", "default_device", "evaluate", "fit", "predict", "seed_everything"]
