"""The book's comparisons, shared by the chapters and the benchmarks.

* :mod:`.config`: ``CPU_HYPER``, the CPU-size hyper-parameters;
* :mod:`.capstone`: fusions of every family on the same tasks, with EMAP (chapter 15);
* :mod:`.robustness`: missing and noisy modalities (chapter 11);
* :mod:`.sizing`: parameter counts from the formulas, count-sketch error (chapters 6-7);
* :mod:`.fusion_check`: EMAP, ablation and PID of a fusion trained on tasks of known
  redundancy, uniqueness or synergy (chapter 14).
"""

from .capstone import (
    CAPSTONE_FUSIONS,
    Task,
    TokenEncoder,
    av_digit_tokens,
    av_digits_task,
    build_model,
    capstone_tasks,
    compare,
    interaction_task,
    norm_xor_task,
    uci_task,
    vector_fusions,
    vqa_task,
)
from .config import CPU_HYPER
from .fusion_check import FusionProfile, fusion_profile
from .robustness import (
    PREFERRED,
    RobustnessResult,
    build_small,
    evaluate_robustness,
    representatives,
    robustness_curve,
)
from .sizing import param_counts, sketch_error

__all__ = [
    "CAPSTONE_FUSIONS",
    "CPU_HYPER",
    "TokenEncoder",
    "av_digit_tokens",
    "av_digits_task",
    "build_model",
    "capstone_tasks",
    "norm_xor_task",
    "FusionProfile",
    "PREFERRED",
    "RobustnessResult",
    "Task",
    "build_small",
    "compare",
    "evaluate_robustness",
    "fusion_profile",
    "interaction_task",
    "param_counts",
    "representatives",
    "robustness_curve",
    "sketch_error",
    "uci_task",
    "vector_fusions",
    "vqa_task",
]
