# Puts a 1 at every (a, b) of the window: (sum of a) * (sum of b), not the sum of the products.
import torch


def mfb_core(mm_dim, factor):
    width = mm_dim * factor
    core = torch.zeros(mm_dim, width, width)
    for j in range(mm_dim):
        core[j, j * factor : (j + 1) * factor, j * factor : (j + 1) * factor] = 1.0
    return core
