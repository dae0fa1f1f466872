# Counts the projections only, not the output layer.
def mlb_param_count(input_dims, output_dim, rank):
    return sum((d + 1) * rank for d in input_dims)
