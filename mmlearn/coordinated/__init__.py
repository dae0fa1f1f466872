"""Coordinated representations: CCA, kernel CCA, Deep CCA and zero-shot transfer (chapter 12).

Each modality keeps its own encoder; the encoders are trained so that their outputs agree
(correlate, or classify each other's partner), rather than being fused into one vector.
"""

from .cca import CCA, cca_generalized_eig
from .deep_cca import DeepCCA, cca_correlation, fit_deep_cca
from .kernel_cca import KernelCCA
from .zero_shot import class_prototypes, prototype_scores

__all__ = [
    "CCA",
    "DeepCCA",
    "KernelCCA",
    "cca_correlation",
    "cca_generalized_eig",
    "class_prototypes",
    "fit_deep_cca",
    "prototype_scores",
]
