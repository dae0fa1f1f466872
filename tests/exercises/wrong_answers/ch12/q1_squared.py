# Returns the eigenvalues of Cxx^-1 Cxy Cyy^-1 Cyx: the squared canonical correlations.
import torch


def cca_correlations(x, y, reg):
    n = x.shape[0]
    xc, yc = x - x.mean(0), y - y.mean(0)
    cxx = xc.T @ xc / n + reg * torch.eye(x.shape[1], dtype=x.dtype)
    cyy = yc.T @ yc / n + reg * torch.eye(y.shape[1], dtype=y.dtype)
    cxy = xc.T @ yc / n
    m = torch.linalg.solve(cxx, cxy) @ torch.linalg.solve(cyy, cxy.T)
    values = torch.linalg.eigvals(m).real.sort(descending=True).values
    return values[: min(x.shape[1], y.shape[1])]
