"""Building blocks shared by the fusions and models."""

from .mlp import MLP, make_activation

__all__ = ["MLP", "make_activation"]
