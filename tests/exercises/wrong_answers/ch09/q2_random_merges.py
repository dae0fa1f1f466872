# Copies the MLB tensors but leaves the merge weights as initialised.
import torch

from mmlearn.fusion.block import Block


def block_from_mlb(u, c, v, e, w_out, b_out):
    rank = u.shape[0]
    block = Block([u.shape[1], v.shape[1]], w_out.shape[0], mm_dim=rank, chunks=rank, rank=1,
                  pos_norm="none").to(u.dtype)
    with torch.no_grad():
        block.linears[0].weight.copy_(u)
        block.linears[0].bias.copy_(c)
        block.linears[1].weight.copy_(v)
        block.linears[1].bias.copy_(e)
        block.linear_out.weight.copy_(w_out)
        block.linear_out.bias.copy_(b_out)
    return block
