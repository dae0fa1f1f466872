# Always rescues modality 0: the modalities are no longer treated alike.
import torch


def modality_keep_mask(n, m, p, generator):
    keep = torch.rand(n, m, generator=generator) >= p
    keep[~keep.any(dim=1), 0] = True
    return keep
