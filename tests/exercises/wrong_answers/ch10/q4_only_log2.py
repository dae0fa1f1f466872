# Returns log 2 everywhere: a bound, but not the tighter one for close distributions.
import math

import torch


def js_bound(p, q):
    return torch.full(p.shape[:1], math.log(2.0), dtype=p.dtype)
