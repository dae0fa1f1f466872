"""Every vector fusion of the registry on the same tasks: accuracy over seeds, parameters, time.

Shared by chapter 15 (a quick setting that fits the notebook budget) and
``benchmarks/bench_capstone.py`` (more seeds and epochs), so the book's table and the benchmark's
come from one piece of code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..data import (
    MultimodalDataset,
    load_av_digits,
    load_multiple_features,
    make_interaction,
    make_norm_xor,
    standardize,
    stratified_split,
)
from ..fusion import available, build, family, get
from ..metrics import emap_scores, mean_ci
from ..models import MultimodalClassifier, build_classifier
from ..training import evaluate, fit
from .config import CPU_HYPER


@dataclass
class Task:
    """A two-modality classification task with fixed splits."""

    name: str
    train: MultimodalDataset
    val: MultimodalDataset
    test: MultimodalDataset

    @property
    def n_classes(self) -> int:
        return int(max(self.train.labels.max(), self.test.labels.max())) + 1


def uci_task(views: tuple[str, str] = ("fou", "zer"), seed: int = 0) -> Task:
    """Two weak views of UCI Multiple Features (standard 70/30 split, 10 % validation)."""
    data = load_multiple_features(list(views))
    train, val, test = standardize(*stratified_split(data, test_size=0.3, val_size=0.1, seed=seed))
    return Task(f"UCI {views[0]}+{views[1]}", train, val, test)


def interaction_task(n: int = 3000, dims: tuple[int, int] = (8, 8), seed: int = 0) -> Task:
    """The synthetic task whose label is the sign of a bilinear form of the two modalities."""
    train, val, test = stratified_split(make_interaction(n=n, dims=dims, seed=seed), 0.3, 0.1, seed=seed)
    return Task("interaction", train, val, test)


def vqa_task(n_scenes: int = 1500, seed: int = 0) -> Task:
    """Procedural VQA, object-feature version flattened to a vector: (question 11, objects 60)."""
    from ..data.vqa import make_sort_of_clevr

    data = make_sort_of_clevr(n_scenes, seed=seed, shuffle=False).dataset(view="flat_objects")
    train, val, test = stratified_split(data, 0.3, 0.1, seed=seed)
    return Task("VQA (objects)", train, val, test)


def norm_xor_task(n: int = 3000, dims: tuple[int, int] = (8, 8), seed: int = 0) -> Task:
    """The XOR of two norm tests (:func:`~mmlearn.data.make_norm_xor`): an interaction that no
    bilinear form of the inputs represents."""
    train, val, test = stratified_split(make_norm_xor(n=n, dims=dims, seed=seed), 0.3, 0.1, seed=seed)
    return Task("norm XOR", train, val, test)


def av_digits_task(noisy: bool = False, n_train: int | None = None) -> Task:
    """Audio-visual digits, its standard split, standardised on the training set (image 64
    pixels, audio 768 log-mel values); ``n_train`` keeps the first training samples only."""
    train, val, test = standardize(*(load_av_digits(s, noisy=noisy) for s in ("train", "val", "test")))
    if n_train is not None:
        train = train.subset(range(min(n_train, len(train))))
    return Task("AV digits" + (" (noisy)" if noisy else ""), train, val, test)


def av_digit_tokens(data: MultimodalDataset, frames: int = 6) -> MultimodalDataset:
    """Token sequences of the audio-visual digits for the transformer fusions of chapter 13:
    ``image (n, 8, 8)`` (8 rows of 8 pixels, scaled to [0, 1]) and ``audio (n, frames, 32)`` (the
    24 log-mel frames averaged in groups of ``24 / frames``, scaled by ``(dB + 30) / 30``).
    ``data``: a flat :func:`~mmlearn.data.load_av_digits` set (not standardised)."""
    if 24 % frames:
        raise ValueError(f"av_digit_tokens: frames must divide 24, got {frames}")
    image = data.modalities[0].reshape(-1, 8, 8) / 16.0  # (n, 8, 8)
    audio = data.modalities[1].reshape(-1, frames, 24 // frames, 32).mean(dim=2)  # (n, frames, 32)
    return MultimodalDataset([image, (audio + 30.0) / 30.0], data.labels, names=["image", "audio"])


#: The capstone's fusions: one or more per family (``multimodal_fc`` is left out: in these
#: experiments it is the same function as ``concat``, review item 32), late fusion as the additive
#: control, and the Part V families (``single_stream_transformer`` on :class:`TokenEncoder` tokens).
CAPSTONE_FUSIONS = [
    "concat",
    "late_fusion",
    "attention_pool",
    "gmu",
    "hybrid_pool",
    "two_tower_gate",
    "tfn",
    "mlb",
    "lmf",
    "mutan",
    "block",
    "film",
    "dynamic_parameters",
    "single_stream_transformer",
]


def capstone_tasks() -> list[Task]:
    """The five tasks of chapter 15, at the sizes the benchmark uses."""
    return [
        uci_task(),
        interaction_task(n=2000),
        norm_xor_task(n=2000),
        av_digits_task(),
        vqa_task(n_scenes=800),
    ]


def vector_fusions() -> list[str]:
    """Registered fusions that take two vectors ``(batch, d)``.

    The same as ``mmlearn.fusion.available(input_ndim=2, n_modalities=2)``.
    """
    return available(input_ndim=2, n_modalities=2)


class TokenEncoder(torch.nn.Module):
    """``x (batch, d) -> ReLU(x W + b) (batch, n_tokens, token_dim)``: a vector modality as a short
    token sequence, so that the token fusions of chapter 13 can run on the capstone's vector tasks."""

    def __init__(self, input_dim: int, n_tokens: int = 4, token_dim: int = 8) -> None:
        super().__init__()
        self.n_tokens, self.token_dim = n_tokens, token_dim
        self.linear = torch.nn.Linear(input_dim, n_tokens * token_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.linear(x)).view(x.shape[0], self.n_tokens, self.token_dim)


def build_model(
    name: str, input_dims: Sequence[int], n_classes: int, embed_dim: int = 16, fusion_dim: int = 32
) -> MultimodalClassifier:
    """The capstone's classifier for fusion ``name``: :func:`~mmlearn.models.build_classifier`
    (encoders ``MLP(d_m -> embed_dim)``, the fusion at its :data:`CPU_HYPER` size, a head) for a
    vector fusion; for a token fusion (``input_ndim = 3``) each encoder is a
    :class:`TokenEncoder` to 4 tokens of width ``embed_dim / 2``, and the fusion takes its
    :data:`CPU_HYPER` size."""
    hyper = CPU_HYPER.get(name, {})
    if get(name).input_ndim == 2:
        return build_classifier(
            name, input_dims, n_classes, embed_dim=embed_dim, fusion_dim=fusion_dim, **hyper
        )
    token_dim = max(1, embed_dim // 2)
    encoders = [TokenEncoder(d, 4, token_dim) for d in input_dims]
    fused = build(name, [token_dim] * len(input_dims), fusion_dim, **hyper)
    head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(fusion_dim, n_classes))
    return MultimodalClassifier(encoders, fused, head)


def forward_backward_ms(model: torch.nn.Module, task: Task, batch: int = 64, repeats: int = 5) -> float:
    """Median wall time of one forward + backward pass on a batch, in milliseconds."""
    xs = [x[:batch] for x in task.train.modalities]
    y = task.train.labels[:batch]
    model.train()
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        F.cross_entropy(model(*xs), y).backward()
        times.append(time.perf_counter() - start)
        model.zero_grad(set_to_none=True)
    return float(np.median(times[1:]) * 1000)


def compare(
    fusions: Sequence[str],
    tasks: Sequence[Task],
    seeds: Sequence[int] = (0, 1),
    epochs: int = 25,
    embed_dim: int = 16,
    fusion_dim: int = 32,
    batch_size: int = 128,
    lr: float = 3e-3,
    progress: Callable[[str], None] | None = None,
    emap_samples: int | None = None,
) -> list[dict]:
    """Train every fusion on every task with every seed; one row per (task, fusion).

    Row keys: task, fusion, family, accuracy (mean over seeds), std, ci (95 % half-width,
    :func:`~mmlearn.metrics.mean_ci`), accuracies, params (of the fusion module), model_params
    (encoders + fusion + head), ms (forward + backward, batch 64). With ``emap_samples = k`` also
    emap_accuracies and emap_gaps: the accuracy of each seed's model's EMAP projection
    (:func:`~mmlearn.metrics.emap_scores`) on the first ``k`` test samples, and model minus EMAP
    accuracy on those samples. Token fusions run through :func:`build_model`.
    """
    unknown = [f for f in fusions if f not in available()]
    if unknown:
        raise ValueError(f"compare: unknown fusions {unknown}; available: {available()}")
    if not seeds:
        raise ValueError("compare: give at least one seed")
    rows = []
    for task in tasks:
        for name in fusions:
            if progress:
                progress(f"{task.name}: {name}")
            accs, emap_accs, emap_gaps = [], [], []
            for seed in seeds:
                torch.manual_seed(seed)
                model = build_model(name, task.train.input_dims, task.n_classes, embed_dim, fusion_dim)
                fit(
                    model,
                    task.train,
                    task.val,
                    epochs=epochs,
                    lr=lr,
                    batch_size=batch_size,
                    patience=5,
                    seed=seed,
                    progress=False,
                )
                accs.append(evaluate(model, task.test)["accuracy"])
                if emap_samples:
                    model.eval()
                    x1, x2 = (x[:emap_samples] for x in task.test.modalities)
                    scores = emap_scores(
                        lambda a, b, model=model: model(a, b), x1, x2, task.test.labels[:emap_samples]
                    )
                    emap_accs.append(scores.emap_accuracy)
                    emap_gaps.append(scores.gap)
            row: dict = {
                "task": task.name,
                "fusion": name,
                "family": family(name),
                "accuracy": float(np.mean(accs)),
                "std": float(np.std(accs)),
                "ci": mean_ci(accs)[1] if len(accs) > 1 else float("nan"),
                "accuracies": accs,
                "params": model.fusion.n_params,
                "model_params": model.n_params,
                "ms": forward_backward_ms(model, task),
            }
            if emap_samples:
                row["emap_accuracies"], row["emap_gaps"] = emap_accs, emap_gaps
            rows.append(row)
    return rows
