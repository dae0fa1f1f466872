# Adds the bias to every one of the three terms: three biases instead of one.
def pair_preactivations(objects, q, weight, bias):
    d = objects.shape[-1]
    w_i, w_j, w_q = weight[:, :d], weight[:, d : 2 * d], weight[:, 2 * d :]
    return (
        (objects @ w_i.T + bias)[:, :, None, :]
        + (objects @ w_j.T + bias)[:, None, :, :]
        + (q @ w_q.T + bias)[:, None, None, :]
    )
