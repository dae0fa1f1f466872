# Picks the nearest earlier sample instead of interpolating.
def resample(x, src_rate, dst_rate):
    n_out = int((x.shape[0] - 1) * dst_rate / src_rate) + 1
    idx = [int(k * src_rate / dst_rate) for k in range(n_out)]
    return x[idx]
