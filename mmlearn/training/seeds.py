"""Train several seeds of one small model at once (one vectorised copy per seed).

Comparisons in the book use at least five seeds. For models of a few thousand parameters the
cost of a training step is mostly Python overhead, so five separate runs cost five times one
run. :func:`fit_seeds` stacks the parameters of the ``S`` copies along a leading axis
(:func:`torch.func.stack_module_state`) and runs them with :func:`torch.vmap`: every copy has
its own initialisation, its own training set and its own mini-batch order, and Adam, which acts
elementwise, updates each copy exactly as ``S`` separate optimisers would. The loss is the sum
of the per-copy mean cross-entropies, so the gradient of copy ``s`` depends on copy ``s`` only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from ..data.dataset import MultimodalDataset


def fit_seeds(
    make_model: Callable[[], nn.Module],
    datasets: Sequence[MultimodalDataset],
    seeds: Sequence[int],
    epochs: int,
    lr: float = 1e-3,
    batch_size: int = 64,
) -> list[nn.Module]:
    """Train one copy of ``make_model()`` per seed, copy ``s`` on ``datasets[s]``; return them.

    Copy ``s`` is built after ``torch.manual_seed(seeds[s])`` and visits its training set in an
    order drawn from ``seeds[s]``. Every training set must have the same number of rows ``n``
    (mini-batches are aligned across copies). Adam with learning rate ``lr``, ``epochs`` passes,
    the last epoch's weights kept (no early stopping). Runs on the device of the data.

    Raises:
        ValueError: no seeds, ``len(datasets) != len(seeds)``, sets of different sizes, or a
            non-positive ``epochs`` / ``batch_size``.
    """
    if len(seeds) == 0:
        raise ValueError("fit_seeds: seeds must not be empty")
    if len(datasets) != len(seeds):
        raise ValueError(f"fit_seeds: one dataset per seed expected, got {len(datasets)} for {len(seeds)}")
    sizes = {len(d) for d in datasets}
    if len(sizes) != 1:
        raise ValueError(f"fit_seeds: every training set must have the same size, got {sorted(sizes)}")
    if epochs <= 0 or batch_size <= 0:
        raise ValueError(f"fit_seeds: epochs and batch_size must be positive, got {epochs}, {batch_size}")
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(make_model())
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")

    def call(p: dict, b: dict, *inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(base, (p, b), inputs)

    batched = torch.vmap(call)
    optimizer = torch.optim.Adam(list(params.values()), lr=lr)
    n = sizes.pop()
    m = len(datasets[0].modalities)
    stacked = [torch.stack([d.modalities[i] for d in datasets]) for i in range(m)]  # (S, n, ...)
    labels = torch.stack([d.labels for d in datasets])  # (S, n)
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    rows = torch.arange(len(seeds))[:, None]
    for _ in range(epochs):
        order = torch.stack([torch.randperm(n, generator=g) for g in generators])  # (S, n)
        for start in range(0, n, batch_size):
            idx = order[:, start : start + batch_size]
            inputs = [x[rows, idx] for x in stacked]
            logits = batched(params, buffers, *inputs)  # (S, B, K)
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), labels[rows, idx].flatten())
            optimizer.zero_grad()
            (loss * len(seeds)).backward()
            optimizer.step()
    for s, model in enumerate(models):
        state = {k: v[s].detach().clone() for k, v in {**params, **buffers}.items()}
        model.load_state_dict(state)
        model.eval()
    return models
