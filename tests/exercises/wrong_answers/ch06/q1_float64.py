# Always returns float64: the dtype of the input is not kept.
def count_sketch(x, hashes, signs, sketch_dim):
    out = x.double().new_zeros(x.shape[0], sketch_dim)
    return out.index_add(1, hashes, x.double() * signs.double())
