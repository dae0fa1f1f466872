# Forgets the appended 1: counts the outer product of the raw features only.
import math


def tfn_param_count(input_dims, output_dim):
    return math.prod(input_dims) * output_dim + output_dim
