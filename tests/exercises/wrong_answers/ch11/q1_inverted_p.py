# Keeps each entry with probability p instead of masking it with probability p.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(x.shape, generator=generator) < p
    return x * keep.to(x.dtype), labels.clone()
