"""Every fusion method of the book, one small class per method, all with one signature.

``Fusion(input_dims, output_dim, **hyper)`` and ``fusion(x_1, ..., x_M) -> (batch, output_dim)``;
``return_weights=True`` returns a :class:`FusionOutput`; ``masks=[...]`` where ``supports_masks``.
Build by name with :func:`build`; :func:`available` lists (and filters) the names.

Families (one module each): ``simple`` (ch. 2), ``hybrid`` (ch. 3), ``attention`` and ``gating``
(ch. 4), ``coattention`` and ``sequence`` (ch. 4-5), ``bilinear`` (ch. 6), ``lowrank`` (ch. 7),
``tucker`` (ch. 8), ``block`` (ch. 9), ``modulation`` and ``transformers`` (ch. 13-14).
"""

from .attention import AttentionPool, ModalitySelfAttention
from .base import Fusion, FusionOutput, Masks
from .bilinear import MCB, TFN, Bilinear
from .block import BLOCK, BLOCKTucker
from .coattention import (
    AlternatingCoAttention,
    DualAttention,
    ParallelCoAttention,
    RelativeStackedAttention,
    StackedAttention,
)
from .gating import GMU, GatedSum, TwoTowerGate
from .hybrid import GatedPool, HybridPool, MixedPool
from .lowrank import LMF, MFB, MFH, MLB
from .modulation import FILM, DynamicParameters
from .registry import ALIASES, available, build, family, get, register, snake_case
from .sequence import BiRNNDualAttention, CrossModalTransformer
from .simple import AvgPool, Concat, JointEmbedding, LateFusion, MaxPool, MultimodalFC, WeightedSum
from .transformers import (
    AttentionBottleneck,
    DualStreamTransformer,
    GatedCrossAttention,
    Perceiver,
    QueryResampler,
    SingleStreamTransformer,
)
from .tucker import MUTAN, Tucker

# class names of mmlearn 0.1, kept for one release (the registry keeps the old keys in ALIASES)
FullBilinear = Bilinear
TensorFusion = TFN
GatedFusion = GatedSum
GatedMultimodalUnit = GMU
MaxPoolFusion = MaxPool
AvgPoolFusion = AvgPool
AttentionPooling = AttentionPool
HybridPooling = HybridPool
Mutan = MUTAN
Block = BLOCK
BlockTucker = BLOCKTucker

#: Old class name -> current class, for the naming test and the API appendix.
OLD_CLASS_NAMES = {
    "FullBilinear": Bilinear,
    "TensorFusion": TFN,
    "GatedFusion": GatedSum,
    "GatedMultimodalUnit": GMU,
    "MaxPoolFusion": MaxPool,
    "AvgPoolFusion": AvgPool,
    "AttentionPooling": AttentionPool,
    "HybridPooling": HybridPool,
    "Mutan": MUTAN,
    "Block": BLOCK,
    "BlockTucker": BLOCKTucker,
}

__all__ = [
    "ALIASES",
    "BLOCK",
    "FILM",
    "GMU",
    "LMF",
    "MCB",
    "MFB",
    "MFH",
    "MLB",
    "MUTAN",
    "OLD_CLASS_NAMES",
    "TFN",
    "AlternatingCoAttention",
    "AttentionBottleneck",
    "AttentionPool",
    "AvgPool",
    "AvgPoolFusion",
    "BLOCKTucker",
    "BiRNNDualAttention",
    "Bilinear",
    "Block",
    "BlockTucker",
    "Concat",
    "CrossModalTransformer",
    "DualAttention",
    "DualStreamTransformer",
    "DynamicParameters",
    "FullBilinear",
    "Fusion",
    "FusionOutput",
    "GatedCrossAttention",
    "GatedFusion",
    "GatedMultimodalUnit",
    "GatedSum",
    "HybridPool",
    "MixedPool",
    "GatedPool",
    "HybridPooling",
    "AttentionPooling",
    "JointEmbedding",
    "LateFusion",
    "Masks",
    "MaxPool",
    "MaxPoolFusion",
    "ModalitySelfAttention",
    "MultimodalFC",
    "Mutan",
    "ParallelCoAttention",
    "Perceiver",
    "QueryResampler",
    "RelativeStackedAttention",
    "SingleStreamTransformer",
    "StackedAttention",
    "TensorFusion",
    "Tucker",
    "TwoTowerGate",
    "WeightedSum",
    "available",
    "build",
    "family",
    "get",
    "register",
    "snake_case",
]
