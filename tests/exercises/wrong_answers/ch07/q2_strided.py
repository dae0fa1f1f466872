# Strided windows (entries j, j + m, j + 2m, ...) instead of consecutive ones.
import torch


def mfb_core(mm_dim, factor):
    width = mm_dim * factor
    core = torch.zeros(mm_dim, width, width)
    r = torch.arange(width)
    core[r % mm_dim, r, r] = 1.0
    return core
