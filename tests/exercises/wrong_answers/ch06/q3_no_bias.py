# Forgets the bias of the output layer.
import math


def tfn_param_count(input_dims, output_dim):
    return math.prod(d + 1 for d in input_dims) * output_dim
