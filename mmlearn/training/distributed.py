"""Data-parallel training with PyTorch's own ``torch.distributed`` (DDP), started by ``torchrun``.

Each of the ``W`` processes takes its shard of every global mini-batch; DDP averages the
gradients, so with equal shards the update equals single-process training on the whole batch
(gradient of the mean loss). CPU uses the ``gloo`` backend, CUDA ``nccl``.

    torchrun --nproc_per_node 2 -m mmlearn.distributed --fusion concat --steps 20 --out model.pt
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ..data import MultimodalDataset, make_interaction
from ..models import build_classifier


def global_batches(
    data: MultimodalDataset, batch_size: int, steps: int, seed: int
) -> Iterator[tuple[list[torch.Tensor], torch.Tensor]]:
    """The same sequence of global mini-batches in every process (a seeded permutation)."""
    generator = torch.Generator().manual_seed(seed)
    order = torch.cat(
        [torch.randperm(len(data), generator=generator) for _ in range(steps * batch_size // len(data) + 1)]
    )
    for step in range(steps):
        idx = order[step * batch_size : (step + 1) * batch_size]
        yield [x[idx] for x in data.modalities], data.labels[idx]


def train_steps(
    model: nn.Module,
    data: MultimodalDataset,
    steps: int,
    batch_size: int = 64,
    lr: float = 0.05,
    seed: int = 0,
    rank: int = 0,
    world_size: int = 1,
) -> list[float]:
    """Plain SGD for ``steps`` global batches; with ``world_size > 1`` this process uses its shard.

    Returns the loss of each step on this process's shard.
    """
    if batch_size % world_size:
        raise ValueError(f"batch_size ({batch_size}) must be divisible by world_size ({world_size})")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    shard = batch_size // world_size
    losses = []
    for xs, y in global_batches(data, batch_size, steps, seed):
        part = slice(rank * shard, (rank + 1) * shard)
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(*[x[part] for x in xs]), y[part])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def make_model(fusion: str, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return build_classifier(fusion, [8, 8], 2, embed_dim=16, fusion_dim=16)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train a fusion classifier with DDP (use torchrun).")
    parser.add_argument("--fusion", default="concat")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="rank 0 saves the trained state_dict here")
    args = parser.parse_args(argv)

    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if backend == "nccl" else "cpu")
    torch.set_num_threads(1)
    data = make_interaction(n=512, dims=(8, 8), seed=args.seed)
    data = MultimodalDataset([x.to(device) for x in data.modalities], data.labels.to(device))
    model = make_model(args.fusion, args.seed).to(device)
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    losses = train_steps(ddp, data, args.steps, args.batch_size, args.lr, args.seed, rank, world)
    if rank == 0:
        print(f"world size {world}, backend {backend}, last loss {losses[-1]:.4f}")
        if args.out:
            torch.save({k: v.cpu() for k, v in model.state_dict().items()}, args.out)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
