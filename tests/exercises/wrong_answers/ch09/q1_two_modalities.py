# Assumes exactly two modalities.
def block_param_count(input_dims, output_dim, mm_dim, chunks, rank):
    s = mm_dim // chunks
    projections = sum((d + 1) * mm_dim for d in input_dims)
    merges = 2 * chunks * (s * rank * s + rank * s)
    return projections + merges + (mm_dim + 1) * output_dim
