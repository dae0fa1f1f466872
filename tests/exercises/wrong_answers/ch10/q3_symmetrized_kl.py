# Averages KL(p||q) and KL(q||p): symmetric, but not Jensen-Shannon (and infinite on disjoint supports).
import torch


def js_divergence(p, q):
    kl_pq = (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1)
    kl_qp = (torch.xlogy(q, q) - torch.xlogy(q, p)).sum(-1)
    return 0.5 * (kl_pq + kl_qp)
