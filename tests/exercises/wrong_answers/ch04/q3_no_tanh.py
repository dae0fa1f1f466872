# Forgets the tanh on the modality features: z is no longer bounded.
import torch


def gmu(x1, x2, w1, w2, wg):
    h1, h2 = x1 @ w1.T, x2 @ w2.T
    g = torch.sigmoid(torch.cat([x1, x2], dim=1) @ wg.T)
    return g * h1 + (1 - g) * h2, g
