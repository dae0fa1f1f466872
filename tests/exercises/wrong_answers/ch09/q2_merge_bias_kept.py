# Sets the merge weights to 1 but keeps their random biases: (x~ + a)(y~ + a') is not x~ y~.
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
        for w in block.merge_weights:
            w.fill_(1.0)
        block.linear_out.weight.copy_(w_out)
        block.linear_out.bias.copy_(b_out)
    return block
