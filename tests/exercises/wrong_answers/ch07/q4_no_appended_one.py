# Forgets the appended constant in each factor (d_m instead of d_m + 1 rows).
def lmf_param_count(input_dims, output_dim, rank):
    return rank * sum(d * output_dim for d in input_dims) + rank + output_dim
