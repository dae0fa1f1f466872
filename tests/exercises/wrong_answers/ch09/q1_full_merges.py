# Counts a full (mm_dim, R mm_dim) merge per modality, as in MUTAN: ignores the block structure.
def block_param_count(input_dims, output_dim, mm_dim, chunks, rank):
    projections = sum((d + 1) * mm_dim for d in input_dims)
    merges = len(input_dims) * (mm_dim + 1) * rank * mm_dim
    return projections + merges + (mm_dim + 1) * output_dim
