# Sketches the outer product itself (right values, but the question forbids the d1 * d2 outer
# product: with many features it cannot even be allocated).
import torch


def mcb_fft(x, y, hashes_x, signs_x, hashes_y, signs_y, sketch_dim):
    outer = torch.einsum("bi,bj->bij", x, y).flatten(1)
    hashes = ((hashes_x[:, None] + hashes_y[None, :]) % sketch_dim).flatten()
    signs = (signs_x[:, None] * signs_y[None, :]).flatten().to(x.dtype)
    return x.new_zeros(x.shape[0], sketch_dim).index_add(1, hashes, outer * signs)
