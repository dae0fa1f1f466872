"""Experiment configuration shared by the book's comparisons and the benchmarks."""

from __future__ import annotations

from typing import Any

#: Hyper-parameters at the book's CPU size for the fusions whose defaults are the papers' VQA sizes
#: (thousands of units); shared by the capstone comparison and the robustness curves. Keys are
#: canonical registry names; ``tests/test_experiments.py`` builds every entry.
CPU_HYPER: dict[str, dict[str, Any]] = {
    "mlb": {"rank": 64},
    "mfb": {"mm_dim": 64, "factor": 2},
    "mfh": {"mm_dim": 64, "factor": 2, "n_blocks": 2},
    "mcb": {"sketch_dim": 512},
    "mutan": {"mm_dim": 32, "rank": 4},
    "tucker": {"mm_dim": 32},
    "block": {"mm_dim": 64, "chunks": 8, "rank": 4},
    "block_tucker": {"mm_dim": 64, "chunks": 8},
    "lmf": {"rank": 4},
    "dynamic_parameters": {"mm_dim": 16},
    "single_stream_transformer": {"mm_dim": 16, "heads": 2, "ff_dim": 32, "n_layers": 1},
    "dual_stream_transformer": {"mm_dim": 16, "heads": 2, "ff_dim": 32, "n_layers": 1},
    "attention_bottleneck": {"mm_dim": 16, "heads": 2, "ff_dim": 32, "n_layers": 2, "n_bottlenecks": 2},
    "perceiver": {"mm_dim": 16, "heads": 2, "ff_dim": 32, "n_layers": 1, "n_latents": 4},
}
