# Scales x in place by its signs before sketching: the caller's tensor is changed.
import torch


def mcb_fft(x, y, hashes_x, signs_x, hashes_y, signs_y, sketch_dim):
    px = x.new_zeros(x.shape[0], sketch_dim).index_add(1, hashes_x, x.mul_(signs_x.to(x.dtype)))
    py = y.new_zeros(y.shape[0], sketch_dim).index_add(1, hashes_y, y * signs_y.to(y.dtype))
    return torch.fft.irfft(torch.fft.rfft(px) * torch.fft.rfft(py), n=sketch_dim)
