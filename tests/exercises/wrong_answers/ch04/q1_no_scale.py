# Forgets to divide the scores by sqrt(d): the softmax is too sharp.
def masked_attention(q, k, v, mask):
    scores = q @ k.transpose(1, 2)
    scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
