# Gives the gate to the second modality: g weights h2 instead of h1.
import torch


def gmu(x1, x2, w1, w2, wg):
    h1, h2 = torch.tanh(x1 @ w1.T), torch.tanh(x2 @ w2.T)
    g = torch.sigmoid(torch.cat([x1, x2], dim=1) @ wg.T)
    return (1 - g) * h1 + g * h2, g
