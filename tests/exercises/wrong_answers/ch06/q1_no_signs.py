# Forgets the random signs: every coordinate is added with sign +1.
def count_sketch(x, hashes, signs, sketch_dim):
    out = x.new_zeros(x.shape[0], sketch_dim)
    return out.index_add(1, hashes, x)
