# Applies A_r^T instead of A_r to the projected vector.


def mutan_forward(x, y, w_x, w_y, merge_x, merge_y, w_out):
    xt, yt = x @ w_x.T, y @ w_y.T
    z = ((xt @ merge_x) * (yt @ merge_y)).sum(dim=0)
    return z @ w_out.T
