"""Losses of Part IV: contrastive, triplet (with hard negatives), InfoNCE, label smoothing, and the
four similarity constraints (supervised, unsupervised Laplacian, instance-level, label-level)."""

from .constraints import (
    graph_laplacian,
    instance_similarity_loss,
    knn_graph,
    label_similarity_loss,
    laplacian_penalty,
    supervised_similarity_loss,
)
from .contrastive import contrastive_loss, hard_negative_triplet_loss, info_nce_loss, triplet_loss
from .smoothing import label_smoothing_loss, optimal_logit_gap, smooth_labels

__all__ = [
    "contrastive_loss",
    "graph_laplacian",
    "hard_negative_triplet_loss",
    "info_nce_loss",
    "instance_similarity_loss",
    "knn_graph",
    "label_similarity_loss",
    "label_smoothing_loss",
    "laplacian_penalty",
    "optimal_logit_gap",
    "smooth_labels",
    "supervised_similarity_loss",
    "triplet_loss",
]
