# Computes the divergence in bits (log base 2) instead of nats.
import torch


def js_divergence(p, q):
    m = 0.5 * (p + q)
    kl_pm = (torch.xlogy(p, p) - torch.xlogy(p, m)).sum(-1)
    kl_qm = (torch.xlogy(q, q) - torch.xlogy(q, m)).sum(-1)
    return 0.5 * (kl_pm + kl_qm) / torch.log(torch.tensor(2.0, dtype=p.dtype))
