# Takes the farthest negative (the easiest one) instead of the closest.
import torch


def hard_triplet(u, v, margin):
    d = torch.cdist(u, v)
    mask = torch.eye(u.shape[0], dtype=torch.bool)
    hardest = d.masked_fill(mask, float("-inf")).max(dim=1).values
    return torch.relu(d.diagonal() - hardest + margin).mean()
