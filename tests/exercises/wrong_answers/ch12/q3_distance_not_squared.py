# Uses the distance instead of the squared distance in the exponent.
import math

import torch


def uniformity(u, t):
    u = u / u.norm(dim=1, keepdim=True)
    d = torch.pdist(u)
    return torch.logsumexp(-t * d, dim=0) - math.log(d.numel())
