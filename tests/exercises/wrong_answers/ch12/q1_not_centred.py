# Forgets to centre the views: the "covariances" include the means.
import torch


def cca_correlations(x, y, reg):
    n = x.shape[0]

    def inv_sqrt(c):
        e, v = torch.linalg.eigh(c)
        return (v * e.rsqrt()) @ v.T

    cxx = x.T @ x / n + reg * torch.eye(x.shape[1], dtype=x.dtype)
    cyy = y.T @ y / n + reg * torch.eye(y.shape[1], dtype=y.dtype)
    return torch.linalg.svdvals(inv_sqrt(cxx) @ (x.T @ y / n) @ inv_sqrt(cyy))[: min(x.shape[1], y.shape[1])]
