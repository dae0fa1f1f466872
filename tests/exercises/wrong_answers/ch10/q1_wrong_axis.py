# Normalises over the batch axis instead of over each embedding.
import torch
import torch.nn.functional as F


def info_nce(u, v, temperature):
    s = F.normalize(u, dim=0) @ F.normalize(v, dim=0).T / temperature
    return F.cross_entropy(s, torch.arange(u.shape[0]))
