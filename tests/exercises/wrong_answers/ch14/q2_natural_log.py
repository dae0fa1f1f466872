# Right formula, but in nats (natural logarithm) instead of bits.
def imin_redundancy(p):
    py = p.sum((0, 1))
    total = 0.0
    for y in range(p.shape[2]):
        if py[y] <= 0:
            continue
        spec = []
        for marg in (p.sum(1), p.sum(0)):
            px = marg.sum(1)
            s = 0.0
            for x in range(marg.shape[0]):
                if marg[x, y] > 0:
                    s += marg[x, y] / py[y] * math.log(marg[x, y] / (px[x] * py[y]))
            spec.append(s)
        total += float(py[y]) * min(spec)
    return torch.tensor(total)
