# Zeroes the missing modalities but still divides by M and lets the zeros win the max.
def mixed_pool(projected, a, present):
    h = projected * present.unsqueeze(-1).to(projected.dtype)
    return a * h.amax(dim=1) + (1 - a) * h.mean(dim=1)
