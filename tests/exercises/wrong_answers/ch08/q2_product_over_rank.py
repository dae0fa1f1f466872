# Multiplies the R terms instead of summing them.


def mutan_forward(x, y, w_x, w_y, merge_x, merge_y, w_out):
    xt, yt = x @ w_x.T, y @ w_y.T
    hx = xt @ merge_x.transpose(1, 2)
    hy = yt @ merge_y.transpose(1, 2)
    return (hx * hy).prod(dim=0) @ w_out.T
