# Forgets the bias terms.
def concat_param_count(input_dims, output_dim):
    return sum(input_dims) * output_dim
