# Multiplies the sketches elementwise (that is the Fourier-domain step, not the convolution).
def mcb_fft(x, y, hashes_x, signs_x, hashes_y, signs_y, sketch_dim):
    px = count_sketch(x, hashes_x, signs_x, sketch_dim)
    py = count_sketch(y, hashes_y, signs_y, sketch_dim)
    return px * py
