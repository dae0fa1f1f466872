# Averages over all n^2 pairs, including each point with itself.
import math

import torch


def uniformity(u, t):
    u = u / u.norm(dim=1, keepdim=True)
    sq = torch.cdist(u, u).pow(2)
    return torch.logsumexp(-t * sq.flatten(), dim=0) - math.log(sq.numel())
