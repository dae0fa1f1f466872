# Omits n= in irfft: for an odd sketch size the result has D - 1 entries.
def mcb_fft(x, y, hashes_x, signs_x, hashes_y, signs_y, sketch_dim):
    px = count_sketch(x, hashes_x, signs_x, sketch_dim)
    py = count_sketch(y, hashes_y, signs_y, sketch_dim)
    return torch.fft.irfft(torch.fft.rfft(px, dim=1) * torch.fft.rfft(py, dim=1), dim=1)
