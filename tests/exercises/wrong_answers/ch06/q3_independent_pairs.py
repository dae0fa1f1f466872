# The textbook count sketch of x⊗y: an independent hash and sign for every pair (i, j).
# It ignores that pairs sharing a coordinate collide together, so its variance is not MCB's.
import torch


def mcb_variance(x, xp, y, yp, sketch_dim, n_draws, seed):
    gen = torch.Generator().manual_seed(seed)
    u, v = torch.outer(x, y).flatten(), torch.outer(xp, yp).flatten()
    h = torch.randint(sketch_dim, (n_draws, u.numel()), generator=gen)
    s = torch.randint(2, (n_draws, u.numel()), generator=gen).to(x.dtype) * 2 - 1
    c = torch.nn.functional.one_hot(h, sketch_dim).to(x.dtype) * s[..., None]
    est = (torch.einsum("a,nad->nd", u, c) * torch.einsum("a,nad->nd", v, c)).sum(1)
    return float(est.var())
