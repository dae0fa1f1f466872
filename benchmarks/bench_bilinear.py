"""Bilinear fusions side by side with block.bootstrap.pytorch 0.1.6: equality, time, memory.

Run: ``python -m benchmarks.bench_bilinear [--quick]``. Writes ``benchmarks/results/bilinear.md``
and ``bilinear.json``.

For MLB, MFB and MFH the reference modules are built with their default hyper-parameters, the
same weights are copied into the ``mmlearn`` module (``activation="relu"``, ``normalize=False``,
ReLU on the output, as the reference does), and the outputs are compared in float64. The
reference MCB does not run on current PyTorch, so MCB (count sketches + FFT, ``O(d + D)``
memory) is compared with the sketch of the explicit outer product (``O(d1 d2)`` memory) under
the same hashes. LMF is compared with the TFN that it factorises where TFN fits in memory.

Time: best of the repeats (rounds until a time budget per pair is spent; the best is the least
disturbed by other load) of forward + backward (inputs requiring gradients, sum of the output as
the loss), the implementations measured alternately. Memory: peak bytes of the
tensors created during one forward + backward pass (:class:`PeakMemory`, a dispatch mode that
follows every storage until it is freed); on CUDA also the allocator's peak.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from mmlearn import fusion
from mmlearn.nn.sketch import sketch_outer_product

from .common import ListInput, machine_info, make_inputs, paired_times, peak_bytes, time_step
from .reference import load_reference_fusions

RESULTS = Path(__file__).parent / "results"
SIZES = {
    "paper": {"batch": 64, "dims": (2048, 2400), "out": 3000, "mm": None},
    "book": {"batch": 32, "dims": (64, 64), "out": 64, "mm": 160},
}
MAPS = {  # reference state_dict key -> mmlearn key
    "mlb": {"linear0": "projections.0", "linear1": "projections.1"},
    "mfb": {"linear0": "projections.0", "linear1": "projections.1"},
    "mfh": {
        "linear0_0": "projections.0.0",
        "linear1_0": "projections.0.1",
        "linear0_1": "projections.1.0",
        "linear1_1": "projections.1.1",
    },
}


def _copy_reference_weights(name: str, ref: nn.Module, mine: nn.Module) -> None:
    renamed = {}
    for key, value in ref.state_dict().items():
        prefix, leaf = key.rsplit(".", 1)
        renamed[f"{MAPS[name].get(prefix, prefix)}.{leaf}"] = value
    mine.load_state_dict(renamed)


class _WithReLU(nn.Module):
    """The reference applies ReLU to the output; in mmlearn that belongs to the head."""

    def __init__(self, fusion: nn.Module, call: Callable | None = None):
        super().__init__()
        self.fusion, self.call = fusion, call

    def forward(self, xs):
        return F.relu(self.call(*xs) if self.call is not None else self.fusion(*xs))


class _Fuse(nn.Module):
    """Calls ``fusion.fuse`` directly: the same computation without the input checks."""

    def __init__(self, fusion: nn.Module):
        super().__init__()
        self.fusion = fusion

    def forward(self, xs):
        return self.fusion.fuse(*xs)


def pairs(size: dict, ref_lib) -> list[dict]:
    """Each entry: name, the two modules (taking a list of inputs), and a note."""
    dims, out, mm = list(size["dims"]), size["out"], size["mm"]
    pairs = []
    for name, cls in [("mlb", ref_lib.MLB), ("mfb", ref_lib.MFB), ("mfh", ref_lib.MFH)]:
        hyper = {} if mm is None else {"mm_dim": mm}
        torch.manual_seed(0)
        ref = cls(dims, out, **hyper)
        m = ref.mm_dim
        mine_hyper = {"rank": m} if name == "mlb" else {"mm_dim": m, "factor": ref.factor}
        mine = fusion.build(name, dims, out, activation="relu", normalize=False, **mine_hyper)
        _copy_reference_weights(name, ref, mine)
        pairs.append(
            {
                "name": name.upper(),
                "reference": f"block {cls.__name__} (defaults, mm_dim={m})",
                "ref": ListInput(ref),
                "mine": _WithReLU(mine),
                "n_params": mine.n_params,
                "fuse": _WithReLU(mine, mine.fuse),
            }
        )
    sketch = 16000 if mm is None else mm
    mcb = fusion.build("mcb", dims, out, sketch_dim=sketch, normalize=False)
    explicit = _WithReLU(mcb, lambda x, y: mcb.linear_out(sketch_outer_product(x, y, *mcb.sketches)))
    pairs.append(
        {
            "name": "MCB",
            "reference": f"explicit sketch of x ⊗ y (D={sketch})",
            "ref": explicit,
            "mine": _WithReLU(mcb),
            "n_params": mcb.n_params,
            "fuse": _WithReLU(mcb, mcb.fuse),
        }
    )
    lmf = fusion.build("lmf", dims, out, rank=4)
    tfn_params = out * (dims[0] + 1) * (dims[1] + 1) + out
    if tfn_params * 4 < 2**30:
        tfn = fusion.build("tfn", dims, out)
        with torch.no_grad():
            w = torch.einsum("r,rio,rjo->oij", lmf.fusion_weights, *lmf.factors)
            tfn.linear.weight.copy_(w.flatten(1))
            tfn.linear.bias.copy_(lmf.fusion_bias)
        pairs.append(
            {
                "name": "LMF (R=4)",
                "reference": "TFN with the same (rank-4) weight",
                "ref": ListInput(tfn),
                "mine": ListInput(lmf),
                "n_params": lmf.n_params,
                "fuse": _Fuse(lmf),
            }
        )
    else:
        pairs.append(
            {
                "name": "LMF (R=4)",
                "reference": f"TFN: {tfn_params / 1e9:.1f}e9 parameters, does not fit",
                "ref": None,
                "mine": ListInput(lmf),
                "n_params": lmf.n_params,
                "fuse": _Fuse(lmf),
            }
        )
    return pairs


def inputs(size: dict, device, dtype=torch.float32, seed: int = 1) -> list[torch.Tensor]:
    """The inputs of a size: ``(batch, d)`` for each input dim."""
    return make_inputs(size["batch"], size["dims"], device, dtype, seed)


def _peak_cuda(module: nn.Module, xs, device) -> int | None:
    if device.type != "cuda":
        return None
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    time_step(module, xs, device)
    return torch.cuda.max_memory_allocated() - base


def max_diff(pair: dict, size: dict, device) -> float:
    ref, mine = pair["ref"].to(torch.float64), pair["mine"].to(torch.float64)
    xs = inputs(size, device, torch.float64, seed=2)
    with torch.no_grad():
        diff = (ref(xs) - mine(xs)).abs().max().item()
    ref.float()
    mine.float()
    return diff


def run(sizes: list[str], repeats: dict[str, int], device, budget_s: float = 60.0) -> list[dict]:
    """Every pair at every size: paired alternating forward + backward timings of mmlearn (and of
    its ``fuse``, without the input checks) against the reference, peak memory, output agreement."""
    ref_lib = load_reference_fusions()
    rows = []
    for size_name in sizes:
        size = SIZES[size_name]
        for pair in pairs(size, ref_lib):
            mine, fuse = pair["mine"].to(device), pair["fuse"].to(device)
            ref = pair["ref"].to(device) if pair["ref"] is not None else None
            xs = inputs(size, device)
            row = {
                "size": size_name,
                "fusion": pair["name"],
                "reference": pair["reference"],
                "n_params": pair["n_params"],
            }
            if ref is not None:
                timed = paired_times(mine, ref, xs, device, repeats[size_name], budget_s=budget_s)
                without = paired_times(fuse, ref, xs, device, repeats[size_name], budget_s=budget_s)
                row["time_ms_mine"] = 1e3 * statistics.median(timed.a)
                row["time_ms_ref"] = 1e3 * statistics.median(timed.b)
                row["time_ratio"] = timed.ratio
                row["time_ratio_medians"] = timed.ratio_of_medians
                row["time_ratio_minima"] = timed.ratio_of_minima
                row["time_ratio_fuse"] = without.ratio
                row["pairs"] = len(timed.a)
            else:
                row["time_ms_mine"] = 1e3 * statistics.median(
                    time_step(mine, xs, device) for _ in range(max(3, repeats[size_name] // 4))
                )
            modules = {"mine": mine} if ref is None else {"mine": mine, "ref": ref}
            for k, m in modules.items():
                row[f"peak_mib_{k}"] = peak_bytes(m, xs) / 2**20
                peak = _peak_cuda(m, xs, device)
                row[f"cuda_peak_mib_{k}"] = None if peak is None else peak / 2**20
            if ref is not None:
                row["max_abs_diff_float64"] = max_diff(pair, size, device)
                row["memory_ratio"] = row["peak_mib_mine"] / max(row["peak_mib_ref"], 1e-12)
            print(json.dumps(row), flush=True)
            rows.append(row)
            del pair, mine, ref, modules
    return rows


def _fmt(value, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def write_results(rows: list[dict], device, path: Path = RESULTS) -> None:
    path.mkdir(parents=True, exist_ok=True)
    info = machine_info(device)
    (path / "bilinear.json").write_text(json.dumps({"info": info, "rows": rows}, indent=1) + "\n")
    where = info["gpu"] or f"CPU ({info['threads']} threads)"
    lines = [
        "# Bilinear fusions: mmlearn against block.bootstrap.pytorch 0.1.6",
        "",
        f"Generated by `python -m benchmarks.bench_bilinear` on {where}, torch {info['torch']}.",
        "Sizes: *paper* = batch 64, input dims (2048, 2400), output 3000, the reference's default",
        "hyper-parameters; *book* = batch 32, input dims (64, 64), mm_dim 160, output 64.",
        "Time: forward + backward, measured in pairs (mmlearn and the reference one after the other, in",
        "an order that alternates between pairs); *ratio* is the median of the per-pair ratios, in",
        "brackets the ratio of the medians and of the fastest runs. Memory: peak of the tensors created",
        "by forward + backward.",
        "Ratios are mmlearn / reference (below 1: mmlearn is faster or smaller). The difference is",
        "the largest absolute difference of the outputs in float64 with the same weights copied in",
        "(LMF against TFN: the TFN weight is the float32 product of LMF's factors, hence ~1e-7).",
        "*Without checks* times `fusion.fuse`, i.e. the same computation without the input validation",
        "that `forward` performs (a fixed cost of some microseconds per call, visible at the book size).",
        "",
        "| size | fusion | reference | params | time (ms) mmlearn / ref | time ratio (medians, min) | "
        "ratio without checks | peak memory (MiB) mmlearn / ref | memory ratio | max diff |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['fusion']} | {r['reference']} | {r['n_params']:,} | "
            f"{r['time_ms_mine']:.2f} / {_fmt(r.get('time_ms_ref'), '.2f')} | "
            f"{_fmt(r.get('time_ratio'), '.2f')} ({_fmt(r.get('time_ratio_medians'), '.2f')}, "
            f"{_fmt(r.get('time_ratio_minima'), '.2f')}) | {_fmt(r.get('time_ratio_fuse'), '.2f')} | "
            f"{r['peak_mib_mine']:.2f} / {_fmt(r.get('peak_mib_ref'), '.2f')} | "
            f"{_fmt(r.get('memory_ratio'), '.3f')} | {_fmt(r.get('max_abs_diff_float64'), '.1e')} |"
        )
    if device.type == "cuda":
        lines += ["", "Peak CUDA memory (MiB) of one forward + backward, mmlearn / reference:", ""]
        lines += [
            f"- {r['size']} {r['fusion']}: {_fmt(r['cuda_peak_mib_mine'], '.1f')} / "
            f"{_fmt(r.get('cuda_peak_mib_ref'), '.1f')}"
            for r in rows
        ]
    (path / "bilinear.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="book size only, few repeats")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    sizes = ["book"] if args.quick else ["book", "paper"]
    repeats = {"book": 20 if args.quick else 300, "paper": 40}
    rows = run(sizes, repeats, device)
    write_results(rows, device, args.out)


if __name__ == "__main__":
    main()
