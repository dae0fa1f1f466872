# Unfolds with reshape instead of moving the axis: mixes the entries of different modes.


def mode_n_product(tensor, matrix, mode):
    shape = list(tensor.shape)
    unfolded = tensor.reshape(shape[mode], -1)  # wrong unless mode == 0
    shape[mode] = matrix.shape[0]
    return (matrix @ unfolded).reshape(shape)
