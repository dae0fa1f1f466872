# Masks whole samples instead of individual entries.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(x.shape[0], 1, generator=generator) >= p
    return x * keep.to(x.dtype), labels.clone()
