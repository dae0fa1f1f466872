# Forgets to put the rows on the unit sphere.
import math

import torch


def uniformity(u, t):
    sq = torch.pdist(u).pow(2)
    return torch.logsumexp(-t * sq, dim=0) - math.log(sq.numel())
