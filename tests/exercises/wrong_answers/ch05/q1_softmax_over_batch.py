# Normalises the scores over the batch instead of over the regions.
import torch


def stacked_attention_hop(v, u, wa, wb, w):
    h = torch.tanh(v @ wa + (u @ wb).unsqueeze(1))
    p = (h @ w).softmax(dim=0)
    return u + (p.unsqueeze(-1) * v).sum(dim=1), p
