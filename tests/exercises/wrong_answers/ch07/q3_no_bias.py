# Forgets every bias.
def mlb_param_count(input_dims, output_dim, rank):
    return sum(d * rank for d in input_dims) + rank * output_dim
