"""How the cost of a multimodal transformer grows with the number of tokens (chapter 13).

Run: ``python -m benchmarks.bench_token_cost [--quick]``. Writes ``benchmarks/results/token_cost.md``.

Three fusions of the same depth and width on ``M = 2`` modalities of ``L`` tokens each:
single-stream full attention (``single_stream_transformer``: every token attends to every token),
attention bottlenecks (``attention_bottleneck``, ``B`` shared tokens: each modality attends to
itself and the bottleneck) and Perceiver latents (``perceiver``: ``N`` latents cross-attend to
all ``M L`` tokens once, then attend among themselves).

FLOPs are counted twice: by :func:`formula_flops` (the multiply-adds of every matrix product,
x2; what the module docstring of ``mmlearn.fusion.transformers`` derives) and by
``torch.utils.flop_counter.FlopCounterMode`` on the real forward pass; the two must agree
exactly (``tests/test_transformers.py`` checks it on tiny sizes, this script at every size).
Time: forward pass without gradients, single-stream against each of the two others measured in
alternating pairs (``benchmarks.common.paired_times``); the ratio is the median over pairs of
``time(single) / time(other)``, which cancels the slow phases of a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from mmlearn import fusion

from .common import machine_info, paired_times

RESULTS = Path(__file__).parent / "results"
NAMES = ("single_stream_transformer", "attention_bottleneck", "perceiver")


@dataclass(frozen=True)
class Config:
    """Sizes shared by the three fusions; ``n_layers`` attention layers each (the Perceiver: one
    cross-attention and ``n_layers - 1`` latent self-attention layers)."""

    batch: int = 2
    n_modalities: int = 2
    in_dim: int = 64
    mm_dim: int = 64
    heads: int = 4
    ff_dim: int = 128
    output_dim: int = 10
    n_layers: int = 2
    n_bottlenecks: int = 4
    n_latents: int = 32

    def hyper(self, name: str) -> dict:
        common = {"mm_dim": self.mm_dim, "heads": self.heads, "ff_dim": self.ff_dim}
        if name == "single_stream_transformer":
            return {**common, "n_layers": self.n_layers}
        if name == "attention_bottleneck":
            return {**common, "n_layers": self.n_layers, "n_bottlenecks": self.n_bottlenecks}
        if name == "perceiver":
            return {**common, "n_layers": self.n_layers - 1, "n_latents": self.n_latents}
        raise ValueError(f"formula_flops: name must be one of {NAMES}, got {name!r}")


def _layer_flops(n_q: int, n_kv: int, d: int, ff: int) -> int:
    """One pre-norm attention layer, per sample: Q and O maps on ``n_q`` tokens, K and V on
    ``n_kv``, scores and weighted sum ``n_q n_kv d`` each, FFN on ``n_q`` tokens."""
    return 2 * (2 * n_q * d * d + 2 * n_kv * d * d + 2 * n_q * n_kv * d + 2 * n_q * d * ff)


def formula_flops(name: str, length: int, cfg: Config) -> int:
    """Forward FLOPs (2 per multiply-add of the matrix products) of ``name`` on ``M`` modalities
    of ``length`` tokens each:

    * single stream: ``n_layers`` layers on ``T = 1 + M L`` tokens: ``~ 4 T^2 d`` each;
    * bottleneck: per layer, ``M`` layers on ``L + B`` tokens: ``~ 4 M (L + B)^2 d``;
    * Perceiver: one cross-attention of ``N`` latents on ``M L`` tokens, ``~ 4 (N + M L) d^2 +
      4 N M L d`` (linear in ``L``), then ``n_layers - 1`` layers on ``N`` tokens.

    Plus the input projections ``2 M L d_in d`` and the read-out ``2 d output_dim`` (``M`` of them
    for the bottleneck), for each sample.
    """
    m, d, ff = cfg.n_modalities, cfg.mm_dim, cfg.ff_dim
    projections = 2 * m * length * cfg.in_dim * d
    heads = 1  # read-outs: one, but one per modality for the bottleneck (MBT averages them)
    if name == "single_stream_transformer":
        tokens = 1 + m * length
        body = cfg.n_layers * _layer_flops(tokens, tokens, d, ff)
    elif name == "attention_bottleneck":
        tokens = length + cfg.n_bottlenecks
        body = cfg.n_layers * m * _layer_flops(tokens, tokens, d, ff)
        heads = m
    elif name == "perceiver":
        n = cfg.n_latents
        body = _layer_flops(n, m * length, d, ff) + (cfg.n_layers - 1) * _layer_flops(n, n, d, ff)
    else:
        cfg.hyper(name)  # raises, naming the choices
        raise AssertionError
    return cfg.batch * (projections + body + heads * 2 * d * cfg.output_dim)


def build(name: str, cfg: Config) -> fusion.Fusion:
    torch.manual_seed(0)
    return fusion.build(name, [cfg.in_dim] * cfg.n_modalities, cfg.output_dim, **cfg.hyper(name)).eval()


def make_sequences(length: int, cfg: Config, seed: int = 1) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(cfg.batch, length, cfg.in_dim, generator=g) for _ in range(cfg.n_modalities)]


def counted_flops(module: fusion.Fusion, xs: list[torch.Tensor]) -> int:
    """FLOPs of one forward pass as counted by ``FlopCounterMode``."""
    counter = FlopCounterMode(display=False)
    with counter:  # (not under no_grad: FlopCounterMode's module tracker needs autograd on)
        module(xs)
    return counter.get_total_flops()


def run(lengths: list[int], cfg: Config, repeats: int, budget_s: float) -> list[dict]:
    modules = {name: build(name, cfg) for name in NAMES}
    rows = []
    for length in lengths:
        xs = make_sequences(length, cfg)
        row: dict = {"length": length}
        for name, module in modules.items():
            counted, formula = counted_flops(module, xs), formula_flops(name, length, cfg)
            if counted != formula:
                raise AssertionError(f"{name}, L = {length}: FlopCounterMode {counted} != formula {formula}")
            row[f"flops_{name}"] = counted
        single = modules["single_stream_transformer"]
        for other in NAMES[1:]:
            pair = paired_times(single, modules[other], xs, "cpu", repeats, budget_s=budget_s, backward=False)
            row[f"time_single_vs_{other}"] = pair.ratio
            row[f"ms_{other}"] = 1e3 * statistics.median(pair.b)
            row.setdefault("ms_single_stream_transformer", 1e3 * statistics.median(pair.a))
        rows.append(row)
        print(row, flush=True)
    return rows


def write_markdown(rows: list[dict], cfg: Config, path: Path) -> None:
    info = machine_info("cpu")
    lines = [
        "# Token cost: single-stream attention, attention bottlenecks, Perceiver latents",
        "",
        f"`python -m benchmarks.bench_token_cost` on {info['machine']}, torch {info['torch']}, "
        f"{info['threads']} thread(s). Forward pass, no gradients, batch {cfg.batch}, "
        f"M = {cfg.n_modalities} modalities of L tokens each (input dim {cfg.in_dim}), width "
        f"{cfg.mm_dim}, {cfg.heads} heads, FFN {cfg.ff_dim}, {cfg.n_layers} attention layers each; "
        f"B = {cfg.n_bottlenecks} bottleneck tokens; N = {cfg.n_latents} latents. GFLOP counted by "
        "`FlopCounterMode` (equal to `formula_flops` at every size). Time ratios: median over "
        "alternating pairs of time(single) / time(other).",
        "",
        "| L per modality | GFLOP single | GFLOP bottleneck | GFLOP Perceiver | FLOP ratio single/bottleneck "
        "| FLOP ratio single/Perceiver | ms single | ms bottleneck | ms Perceiver "
        "| time ratio single/bottleneck | time ratio single/Perceiver |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s, b, p = (r[f"flops_{n}"] for n in NAMES)
        lines.append(
            f"| {r['length']} | {s / 1e9:.4f} | {b / 1e9:.4f} | {p / 1e9:.4f} | {s / b:.2f} | {s / p:.2f} "
            f"| {r['ms_single_stream_transformer']:.2f} | {r['ms_attention_bottleneck']:.2f} "
            f"| {r['ms_perceiver']:.2f} | {r['time_single_vs_attention_bottleneck']:.2f} "
            f"| {r['time_single_vs_perceiver']:.2f} |"
        )
    first, last = rows[0], rows[-1]
    growth = last["length"] / first["length"]
    lines += [
        "",
        f"From L = {first['length']} to L = {last['length']} (x{growth:g}) the FLOPs grow "
        + ", ".join(f"x{last[f'flops_{n}'] / first[f'flops_{n}']:.1f} ({n})" for n in NAMES)
        + ". Full attention is quadratic in the total number of tokens; bottlenecks make each "
        "modality's attention quadratic in its own tokens only (a factor M less at large L, not a "
        "change of order); the Perceiver's cross-attention is linear in L and its latent layers do "
        "not depend on L.",
        "",
    ]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = Config()
    lengths = [16, 32, 64] if args.quick else [16, 32, 64, 128, 256, 512, 1024]
    rows = run(lengths, cfg, repeats=3 if args.quick else 9, budget_s=2.0 if args.quick else 8.0)
    out = RESULTS / ("token_cost_quick.md" if args.quick else "token_cost.md")
    write_markdown(rows, cfg, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
