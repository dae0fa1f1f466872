"""Metrics: accuracy, retrieval recall@k, distances, divergences and modality matching degree."""

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
from .scores import accuracy, recall_at_k

__all__ = [
    "accuracy",
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
