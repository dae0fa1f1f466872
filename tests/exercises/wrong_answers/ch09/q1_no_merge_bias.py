# Forgets the biases of the merge projections.
def block_param_count(input_dims, output_dim, mm_dim, chunks, rank):
    s = mm_dim // chunks
    projections = sum((d + 1) * mm_dim for d in input_dims)
    merges = len(input_dims) * chunks * s * rank * s
    return projections + merges + (mm_dim + 1) * output_dim
