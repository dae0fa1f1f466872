# The symmetrised-KL bound alone: infinite where the supports differ.
import torch


def js_bound(p, q):
    kl_pq = (torch.xlogy(p, p) - p * torch.log(q)).sum(-1)
    kl_qp = (torch.xlogy(q, q) - q * torch.log(p)).sum(-1)
    return 0.25 * (kl_pq + kl_qp)
