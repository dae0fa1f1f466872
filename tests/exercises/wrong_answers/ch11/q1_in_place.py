# Masks x in place: the caller's data are destroyed.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(x.shape, generator=generator) >= p
    x[~keep] = 0.0
    return x, labels
