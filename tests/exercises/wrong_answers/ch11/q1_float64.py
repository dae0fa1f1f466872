# Returns float64 whatever the input dtype: a float32 batch comes back in another dtype.
import torch


def mask_augment(x, labels, p, generator):
    keep = torch.rand(x.shape, generator=generator) >= p
    return x.double() * keep.double(), labels.clone()
