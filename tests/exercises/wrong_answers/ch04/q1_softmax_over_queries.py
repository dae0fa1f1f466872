# Normalises over the queries instead of over the keys.
def masked_attention(q, k, v, mask):
    scores = q @ k.transpose(1, 2) / q.shape[-1] ** 0.5
    scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
    weights = scores.softmax(dim=1)
    return weights @ v, weights
