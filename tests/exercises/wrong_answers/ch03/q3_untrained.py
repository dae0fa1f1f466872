# Returns the proportion before any training (sigmoid(0) = 0.5 for both tasks).
def learned_mix(xs, y, seed):
    return 0.5
