# Scores the regions without the query: every hop attends to the same regions.
import torch


def stacked_attention_hop(v, u, wa, wb, w):
    p = (torch.tanh(v @ wa) @ w).softmax(dim=1)
    return u + (p.unsqueeze(-1) * v).sum(dim=1), p
