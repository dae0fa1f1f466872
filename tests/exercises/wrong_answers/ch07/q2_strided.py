# Reshapes the wrong way round: sums entries j, j + m, j + 2m, ... instead of consecutive ones.
def sum_pool(z, factor):
    return z.reshape(z.shape[0], factor, -1).sum(dim=1)
