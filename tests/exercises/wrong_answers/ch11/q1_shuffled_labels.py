# Shuffles the samples but returns the labels in their original order: labels no longer match.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(x.shape, generator=generator) >= p
    order = torch.randperm(x.shape[0], generator=generator)
    return (x * keep.to(x.dtype))[order], labels[order.sort().indices]
