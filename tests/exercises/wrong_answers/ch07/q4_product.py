# Multiplies over modalities as TFN does: LMF's cost is a sum over modalities.
import math


def lmf_param_count(input_dims, output_dim, rank):
    return rank * math.prod(d + 1 for d in input_dims) * output_dim + rank + output_dim
