# Forgets the rescue: some samples lose every modality.
import torch


def modality_keep_mask(n, m, p, generator):
    return torch.rand(n, m, generator=generator) >= p
