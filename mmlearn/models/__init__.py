"""Models built around a fusion: classifiers, two-tower retrieval, question answering, wrappers.

* :mod:`.classifier`: ``MultimodalClassifier`` (encoders -> fusion -> head), ``UnimodalClassifier``,
  ``build_classifier``;
* :mod:`.retrieval`: ``TwoTower`` with contrastive training and recall@k (chapter 10);
* :mod:`.vqa`: ``QuestionSceneModel`` and ``DistanceHopModel`` (chapters 4-5);
* :mod:`.relation_network`: ``RelationNetwork`` (Santoro et al., 2017; chapter 5);
* :mod:`.fusion_search`: ``LayerFusionNet`` and ``random_architectures``, where-to-fuse search (chapter 4);
* :mod:`.wrappers`: ``ModalityDropout`` (chapter 11);
* :mod:`.tiny_lm`: ``TinyLM`` and ``PrefixProjector``, a frozen language model read through a
  projector (chapter 13).
"""

from typing import Any

from .classifier import MultimodalClassifier, UnimodalClassifier, build_classifier
from .fusion_search import LayerFusionNet, random_architectures
from .relation_network import RelationNetwork
from .retrieval import TwoTower, fit_two_tower, retrieval_scores
from .tiny_lm import (
    PrefixProjector,
    TinyLM,
    Vocabulary,
    digit_captions,
    digit_word_accuracy,
    train_lm,
    train_projector,
)
from .vqa import DistanceHopModel, QuestionSceneModel
from .wrappers import ModalityDropout

__all__ = [
    "DistanceHopModel",
    "LayerFusionNet",
    "PrefixProjector",
    "TinyLM",
    "Vocabulary",
    "ModalityDropout",
    "MultimodalClassifier",
    "QuestionSceneModel",
    "RelationNetwork",
    "TwoTower",
    "UnimodalClassifier",
    "build_classifier",
    "digit_captions",
    "digit_word_accuracy",
    "fit_two_tower",
    "random_architectures",
    "retrieval_scores",
    "train_lm",
    "train_projector",
]


def __getattr__(name: str) -> Any:
    # mmlearn 0.1 kept the CPU-size table here; it is experiment configuration now
    if name == "CPU_HYPER":
        import warnings

        from ..experiments.config import CPU_HYPER

        warnings.warn(
            "mmlearn.models.CPU_HYPER moved to mmlearn.experiments.CPU_HYPER",
            DeprecationWarning,
            stacklevel=2,
        )
        return CPU_HYPER
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
