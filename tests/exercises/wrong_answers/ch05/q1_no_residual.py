# Returns the attended regions without adding the previous query: the question is lost.
import torch


def stacked_attention_hop(v, u, wa, wb, w):
    h = torch.tanh(v @ wa + (u @ wb).unsqueeze(1))
    p = (h @ w).softmax(dim=1)
    return (p.unsqueeze(-1) * v).sum(dim=1), p
