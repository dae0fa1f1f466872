# Scales the number of samples by the rate ratio (n * dst / src) instead of keeping the duration.
import torch


def resample(x, src_rate, dst_rate):
    n_out = int(x.shape[0] * dst_rate / src_rate)
    positions = torch.linspace(0, x.shape[0] - 1, n_out, dtype=x.dtype)
    low = positions.floor().long().clamp(max=x.shape[0] - 2)
    frac = positions - low
    return x[low] * (1 - frac) + x[low + 1] * frac
