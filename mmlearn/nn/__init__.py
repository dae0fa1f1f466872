"""Layers every fusion and model shares; fusions import these, never each other.

* :mod:`.mlp`: ``MLP`` and the one activation table;
* :mod:`.masking`: presence masks, ``masked_softmax``, ``masked_mean``;
* :mod:`.attention`: scaled dot-product and multi-head attention, transformer block, additive
  score, guided attention;
* :mod:`.projections`: per-modality projections into a shared space;
* :mod:`.functional`: signed square root, L2 and power normalisation, ``[x; 1]``;
* :mod:`.sketch`, :mod:`.multilinear`: count sketch and mode products for the bilinear family;
* :mod:`.transformer`: pre-norm self- and cross-attention layers, Flamingo's gated cross-attention;
* :mod:`.utils`: parameter counts, list-or-varargs inputs.
"""

from .attention import (
    AdditiveScore,
    GuidedAttention,
    MultiHeadAttention,
    TransformerBlock,
    scaled_dot_product_attention,
)
from .functional import append_one, l2_normalize, power_normalize, signed_sqrt
from .masking import check_mask, masked_mean, masked_softmax
from .mlp import ACTIVATIONS, MLP, activation_function, make_activation
from .projections import ModalityProjections
from .transformer import GatedCrossAttentionBlock, PreNormCrossAttention, PreNormSelfAttention
from .utils import count_params, unpack_inputs

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "AdditiveScore",
    "GatedCrossAttentionBlock",
    "GuidedAttention",
    "ModalityProjections",
    "MultiHeadAttention",
    "PreNormCrossAttention",
    "PreNormSelfAttention",
    "TransformerBlock",
    "activation_function",
    "append_one",
    "check_mask",
    "count_params",
    "l2_normalize",
    "make_activation",
    "masked_mean",
    "masked_softmax",
    "power_normalize",
    "scaled_dot_product_attention",
    "signed_sqrt",
    "unpack_inputs",
]
