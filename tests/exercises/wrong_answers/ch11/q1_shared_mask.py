# Draws one mask of features and applies it to every sample of the batch.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(1, x.shape[1], generator=generator) >= p
    return x * keep.to(x.dtype), labels.clone()
