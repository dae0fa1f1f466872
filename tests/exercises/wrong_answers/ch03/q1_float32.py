# Right formula, but always returns float32.


def mixed_pool(projected, a, present):
    p = projected.float()
    w = present.float().unsqueeze(-1)
    hmax = p.masked_fill(~present.unsqueeze(-1), -1e30).amax(dim=1)
    hmean = (p * w).sum(dim=1) / w.sum(dim=1)
    return a.float() * hmax + (1 - a.float()) * hmean
