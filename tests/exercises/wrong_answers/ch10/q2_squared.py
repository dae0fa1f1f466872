# Uses squared distances, a different loss with a different margin scale.
import torch


def hard_triplet(u, v, margin):
    d = torch.cdist(u, v) ** 2
    mask = torch.eye(u.shape[0], dtype=torch.bool)
    hardest = d.masked_fill(mask, float("inf")).min(dim=1).values
    return torch.relu(d.diagonal() - hardest + margin).mean()
