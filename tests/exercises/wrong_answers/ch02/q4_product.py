# Multiplies the input sizes (the size of the outer product) instead of adding them.
import math


def concat_param_count(input_dims, output_dim):
    return (math.prod(input_dims) + 1) * output_dim
