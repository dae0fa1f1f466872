# Forgets the question block: the relation no longer depends on what is asked.
def pair_preactivations(objects, q, weight, bias):
    d = objects.shape[-1]
    w_i, w_j = weight[:, :d], weight[:, d : 2 * d]
    return (objects @ w_i.T)[:, :, None, :] + (objects @ w_j.T)[:, None, :, :] + bias
