# Uses the first column block for o_j and the second for o_i: entry [i, j] is the pair (o_j, o_i).
def pair_preactivations(objects, q, weight, bias):
    d = objects.shape[-1]
    w_i, w_j, w_q = weight[:, :d], weight[:, d : 2 * d], weight[:, 2 * d :]
    return (objects @ w_i.T)[:, None, :, :] + (objects @ w_j.T)[:, :, None, :] + (q @ w_q.T + bias)[:, None, None, :]
