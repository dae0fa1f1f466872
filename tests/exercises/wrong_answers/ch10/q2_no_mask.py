# Forgets to exclude the positive: the "hardest negative" is often the positive itself.
import torch


def hard_triplet(u, v, margin):
    d = torch.cdist(u, v)
    hardest = d.min(dim=1).values
    return torch.relu(d.diagonal() - hardest + margin).mean()
