# Exponentiates the similarities directly: overflows (inf / inf = NaN) at small temperatures.
import torch
import torch.nn.functional as F


def info_nce(u, v, temperature):
    s = F.normalize(u, dim=1) @ F.normalize(v, dim=1).T / temperature
    e = torch.exp(s)
    return -torch.log(e.diagonal() / e.sum(dim=1)).mean()
