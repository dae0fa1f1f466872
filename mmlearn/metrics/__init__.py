"""Metrics: accuracy, retrieval recall@k, distances, divergences, modality matching degree and
interaction measures (EMAP, modality ablation, partial information decomposition)."""

from .alignment import alignment, uniformity
from .distances import (
    cosine_distance,
    cosine_similarity,
    euclidean,
    hamming,
    manhattan,
    pairwise_cosine,
    pairwise_distances,
    pairwise_euclidean,
    pairwise_hamming,
    pairwise_manhattan,
)
from .divergences import js_divergence, kl_divergence, matching_degree
from .interaction import (
    PID,
    EMAPResult,
    discretize,
    emap_projection,
    emap_scores,
    modality_ablation,
    pid,
)
from .intervals import format_ci, mean_ci, paired_diff_ci
from .label_recall import label_recall_at_k
from .modality_gap import close_gap, modality_gap, modality_gap_vector
from .scores import accuracy, recall_at_k

__all__ = [
    "PID",
    "EMAPResult",
    "discretize",
    "emap_projection",
    "emap_scores",
    "modality_ablation",
    "pid",
    "accuracy",
    "alignment",
    "close_gap",
    "format_ci",
    "label_recall_at_k",
    "mean_ci",
    "paired_diff_ci",
    "modality_gap",
    "modality_gap_vector",
    "uniformity",
    "cosine_distance",
    "cosine_similarity",
    "euclidean",
    "hamming",
    "js_divergence",
    "kl_divergence",
    "manhattan",
    "matching_degree",
    "pairwise_cosine",
    "pairwise_distances",
    "pairwise_euclidean",
    "pairwise_hamming",
    "pairwise_manhattan",
    "recall_at_k",
]
