# Ignores the mask: missing modalities take part in the max and the mean.
def mixed_pool(projected, a, present):
    return a * projected.amax(dim=1) + (1 - a) * projected.mean(dim=1)
