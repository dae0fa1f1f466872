"""Tucker, MUTAN, BLOCK and BLOCK-Tucker side by side with block.bootstrap.pytorch 0.1.6.

Run: ``python -m benchmarks.bench_tucker_block [--quick]``. Writes
``benchmarks/results/tucker_block.md`` and ``tucker_block.json``.

For every fusion the reference module is built with the given hyper-parameters, its weights are
copied into the ``mmlearn`` module (:func:`copy_reference_weights`), the parameter counts are
compared, and the outputs are compared in float64. Time: median over repeats of the forward pass
and of forward + backward (inputs requiring gradients, the sum of the output as the loss), the
two implementations measured alternately after two warm-up steps (same method as
``bench_bilinear``). Because the machine may be shared, the headline ratio is the median over
repeats of the ratio of two back-to-back runs (mmlearn, reference; the order alternates), which
cancels slow phases of other load; the ratio of the medians and of the fastest runs are given too.
Speed is also given as achieved GFLOP/s (the multiply-adds of the matrix
products, counted analytically, x2; backward counted as twice the forward) next to the GFLOP/s of
a plain ``torch.mm`` on the same machine, the practical ceiling.

Sizes: *paper* = batch 64, input dims (2048, 2400), output 3000, the reference's default
hyper-parameters (``mm_dim=1600``, 20 chunks, rank 15) except Tucker, whose default full core
(1600^3 = 4.1e9 weights) does not fit in memory: ``mm_dim=256`` there; *book* = batch 32, input
dims (64, 64), output 64, ``mm_dim=160``, 20 blocks of rank 10.

The ``mmlearn`` modules are built with ``eps=1e-12`` in their signed square root so that their
outputs match the reference's (NaN-gradient) ``sqrt(relu(z)) - sqrt(relu(-z))`` to 1e-5; ``eps``
does not change the cost.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from mmlearn import fusion

from .common import make_inputs, paired_times, sync

RESULTS = Path(__file__).parent / "results"
SIZES = {
    "book": {
        "batch": 32,
        "dims": (64, 64),
        "out": 64,
        "hyper": {
            "tucker": {"mm_dim": 160},
            "mutan": {"mm_dim": 160, "rank": 10},
            "block": {"mm_dim": 160, "chunks": 20, "rank": 10},
            "block_tucker": {"mm_dim": 160, "chunks": 20},
        },
    },
    "paper": {
        "batch": 64,
        "dims": (2048, 2400),
        "out": 3000,
        "hyper": {
            "tucker": {"mm_dim": 256},
            "mutan": {"mm_dim": 1600, "rank": 15},
            "block": {"mm_dim": 1600, "chunks": 20, "rank": 15},
            "block_tucker": {"mm_dim": 1600, "chunks": 20},
        },
    },
}
BUDGET_S = 20.0  # stop repeating a measurement after BUDGET_S seconds (at least 5 pairs)
REFERENCE_CLASS = {"tucker": "Tucker", "mutan": "Mutan", "block": "Block", "block_tucker": "BlockTucker"}


def copy_reference_weights(name: str, ref: nn.Module, mine: fusion.Fusion) -> None:
    """Copy the weights of a reference module (two modalities, ``shared=False``) into ours."""
    state = {
        "linears.0.weight": ref.linear0.weight,
        "linears.0.bias": ref.linear0.bias,
        "linears.1.weight": ref.linear1.weight,
        "linears.1.bias": ref.linear1.bias,
        "linear_out.weight": ref.linear_out.weight,
        "linear_out.bias": ref.linear_out.bias,
    }
    if name == "tucker":
        state |= {"core": ref.bilinear.weight, "core_bias": ref.bilinear.bias}
    elif name == "mutan":
        for m in range(2):
            merge = getattr(ref, f"merge_linear{m}")
            state |= {f"merges.{m}.weight": merge.weight, f"merges.{m}.bias": merge.bias}
    elif name == "block":  # the reference's (R s, s) weight is the transpose of our (s, R s) block
        for m, linears in enumerate([ref.merge_linears0, ref.merge_linears1]):
            state[f"merge_weights.{m}"] = torch.stack([lin.weight.T for lin in linears])
            state[f"merge_biases.{m}"] = torch.stack([lin.bias for lin in linears])
    else:
        state["core"] = torch.stack([b.weight for b in ref.bilinears])
        state["core_bias"] = torch.stack([b.bias for b in ref.bilinears])
    mine.load_state_dict({k: v.detach().clone() for k, v in state.items()})


def build_pair(name: str, dims, out: int, hyper: dict, ref_lib) -> tuple[nn.Module, fusion.Fusion]:
    """The reference module and the ``mmlearn`` module with the reference's weights."""
    torch.manual_seed(0)
    ref = getattr(ref_lib, REFERENCE_CLASS[name])(list(dims), out, **hyper)
    mine = fusion.build(name, list(dims), out, eps=1e-12, **hyper)
    copy_reference_weights(name, ref, mine)
    return ref, mine


def forward_flops(name: str, batch: int, dims, out: int, hyper: dict) -> float:
    """Floating-point operations (2 per multiply-add) of the matrix products of one forward."""
    d = hyper["mm_dim"]
    macs = sum(dims) * d + d * out  # input projections and output factor, per sample
    if name == "tucker":
        macs += d**3
    elif name == "mutan":
        macs += 2 * d * d * hyper["rank"]
    else:
        s = d // hyper["chunks"]
        macs += hyper["chunks"] * (2 * s * s * hyper["rank"] if name == "block" else s**3)
    return 2.0 * batch * macs


def matmul_gflops(n: int = 2048, repeats: int = 20, device="cpu") -> float:
    """GFLOP/s of the fastest of ``repeats`` plain float32 ``(n, n) @ (n, n)`` products: the
    practical ceiling of this machine (the best run, since other load only slows it down)."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    times = []
    for _ in range(repeats + 2):
        sync(device)
        start = time.perf_counter()
        torch.mm(a, b)
        sync(device)
        times.append(time.perf_counter() - start)
    return 2 * n**3 / min(times[2:]) / 1e9


def max_abs_diff(ref: nn.Module, mine: nn.Module, size: dict) -> float:
    ref, mine = ref.double(), mine.double()
    xs = make_inputs(size["batch"], size["dims"], "cpu", torch.float64, seed=2)
    with torch.no_grad():
        diff = (ref(xs) - mine(xs)).abs().max().item()
    ref.float()
    mine.float()
    return diff


def run(sizes: list[str], repeats: dict[str, int], device="cpu") -> list[dict]:
    from .reference import load_reference_fusions

    ref_lib = load_reference_fusions()
    rows = []
    for size_name in sizes:
        size = SIZES[size_name]
        for name, hyper in size["hyper"].items():
            ref, mine = build_pair(name, size["dims"], size["out"], hyper, ref_lib)
            row = {
                "size": size_name,
                "fusion": name,
                "hyper": hyper,
                "n_params_mine": mine.n_params,
                "n_params_ref": ref.n_params,
                "max_abs_diff_float64": max_abs_diff(ref, mine, size),
            }
            # both take the list of inputs: the same call, no wrapper on either side
            modules = {"mine": mine.to(device), "ref": ref.to(device)}
            xs = make_inputs(size["batch"], size["dims"], device)
            flops = forward_flops(name, size["batch"], size["dims"], size["out"], hyper)
            for mode, backward, factor in [("fwd", False, 1), ("fwdbwd", True, 3)]:
                timed = paired_times(
                    modules["mine"],
                    modules["ref"],
                    xs,
                    device,
                    repeats[size_name],
                    warmup=2,
                    budget_s=BUDGET_S,
                    backward=backward,
                )
                times = {"mine": timed.a, "ref": timed.b}
                row[f"{mode}_paired_ratio"] = timed.ratio
                for k in modules:
                    t = statistics.median(times[k])
                    row[f"{mode}_ms_{k}"] = 1e3 * t
                    row[f"{mode}_min_ms_{k}"] = 1e3 * min(times[k])
                    row[f"{mode}_gflops_{k}"] = factor * flops / t / 1e9
                row[f"{mode}_repeats"] = len(timed.a)
                row[f"{mode}_ratio"] = timed.ratio_of_medians
                row[f"{mode}_min_ratio"] = timed.ratio_of_minima
            print(json.dumps(row), flush=True)
            rows.append(row)
            del ref, mine, modules
    return rows


def write_results(rows: list[dict], peak: float, device="cpu", path: Path = RESULTS) -> None:
    path.mkdir(parents=True, exist_ok=True)
    dev = torch.device(device)
    info = {
        "torch": torch.__version__,
        "device": str(dev),
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "matmul_gflops": peak,
        "gpu": torch.cuda.get_device_name() if dev.type == "cuda" else None,
    }
    stem = "tucker_block" if dev.type == "cpu" else "tucker_block_cuda"
    (path / f"{stem}.json").write_text(json.dumps({"info": info, "rows": rows}, indent=1) + "\n")
    where = info["gpu"] or f"CPU ({info['threads']} threads)"
    book_block = next((r for r in rows if r["size"] == "book" and r["fusion"] == "block"), None)
    lines = [
        "# Tucker family: mmlearn against block.bootstrap.pytorch 0.1.6",
        "",
        f"Generated by `python -m benchmarks.bench_tucker_block --threads {info['threads']}` on {where}, "
        f"torch {info['torch']}.",
        "Sizes: *book* = batch 32, input dims (64, 64), output 64, mm_dim 160, 20 blocks of rank 10",
        "(MUTAN rank 10); *paper* = batch 64, input dims (2048, 2400), output 3000, the reference's",
        "defaults (mm_dim 1600, 20 chunks, rank 15) except Tucker at mm_dim 256 (its default core",
        "has 4.1e9 weights). Times are medians; ratios are mmlearn / reference (below 1: mmlearn is",
        "faster). GFLOP/s counts the matrix products (backward = 2x forward); the ceiling is a plain",
        f"float32 2048x2048 `torch.mm` on the same machine (best run): **{peak:.1f} GFLOP/s**.",
        "The difference is the largest absolute output difference in float64 with the reference's",
        "weights copied in.",
        "",
        "The machine may be shared with other work: *ratio* is the median over repeats of the ratio",
        "of two back-to-back runs (mmlearn, then reference, the order alternating), which cancels",
        "slow phases of the other load; in brackets the ratio of the medians and of the fastest runs.",
        "mmlearn's times include its input validation (`Fusion.forward`), a few tens of microseconds",
        "per call: MUTAN runs the same products as the reference, so its ratio shows that overhead.",
        "",
        "| size | fusion | params mmlearn / ref | fwd ms mmlearn / ref | fwd ratio (medians, min) | "
        "fwd+bwd ms mmlearn / ref | fwd+bwd ratio (medians, min) | fwd+bwd GFLOP/s mmlearn / ref "
        "(% of mm) | max diff |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pct = 100 * r["fwdbwd_gflops_mine"] / peak
        lines.append(
            f"| {r['size']} | {r['fusion']} | {r['n_params_mine']:,} / {r['n_params_ref']:,} | "
            f"{r['fwd_ms_mine']:.2f} / {r['fwd_ms_ref']:.2f} | "
            f"**{r['fwd_paired_ratio']:.2f}** ({r['fwd_ratio']:.2f}, {r['fwd_min_ratio']:.2f}) | "
            f"{r['fwdbwd_ms_mine']:.2f} / {r['fwdbwd_ms_ref']:.2f} | "
            f"**{r['fwdbwd_paired_ratio']:.2f}** ({r['fwdbwd_ratio']:.2f}, {r['fwdbwd_min_ratio']:.2f}) | "
            f"{r['fwdbwd_gflops_mine']:.1f} / {r['fwdbwd_gflops_ref']:.1f} ({pct:.0f}%) | "
            f"{r['max_abs_diff_float64']:.1e} |"
        )
    if book_block is not None:
        ok = "met" if book_block["fwdbwd_paired_ratio"] <= 0.4 else "NOT met"
        lines += [
            "",
            f"Target for BLOCK forward + backward at book size: at most 0.4x the reference's "
            f"time. Measured: {book_block['fwdbwd_paired_ratio']:.2f}x (paired runs; "
            f"{book_block['fwdbwd_ratio']:.2f}x of the medians, {book_block['fwdbwd_min_ratio']:.2f}x "
            f"of the fastest runs): {ok}.",
        ]
    (path / f"{stem}.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="book size only, few repeats")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    sizes = ["book"] if args.quick else ["book", "paper"]
    cpu = torch.device(args.device).type == "cpu"
    repeats = {"book": 20 if args.quick else 200, "paper": 5 if cpu else 50}
    peak = matmul_gflops(device=args.device)
    rows = run(sizes, repeats, args.device)
    peak = max(peak, matmul_gflops(device=args.device))  # measured before and after
    write_results(rows, peak, args.device, args.out)


if __name__ == "__main__":
    main()
