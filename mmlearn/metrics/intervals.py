"""Mean and Student-t confidence interval over seeds, and the same for paired differences."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """``(mean, half_width)`` of the ``level`` t-interval for the mean of ``n >= 2`` values.

    ``half_width = t_{n-1, (1 + level) / 2} * s / sqrt(n)`` with ``s`` the sample standard
    deviation (``ddof=1``): the interval is ``mean +- half_width``. It assumes the values are
    independent draws (one per seed) of a roughly normal quantity.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] < 2:
        raise ValueError(f"mean_ci: values must have shape (n,) with n >= 2, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("mean_ci: values contain NaN or inf")
    if not 0 < level < 1:
        raise ValueError(f"mean_ci: level must be in (0, 1), got {level}")
    n = x.shape[0]
    half = stats.t.ppf((1 + level) / 2, df=n - 1) * x.std(ddof=1) / math.sqrt(n)
    return float(x.mean()), float(half)


def format_ci(values: Sequence[float] | np.ndarray, digits: int = 3, level: float = 0.95) -> str:
    """``"0.812 ± 0.021"``: :func:`mean_ci` as text for a table or glued prose."""
    mean, half = mean_ci(values, level)
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def paired_diff_ci(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """``(mean, half_width)`` of the t-interval for the mean paired difference ``a - b``.

    Use it when two methods share each seed's split and initialisation seed: ``a[i]`` and
    ``b[i]`` are scores on the same split ``i`` (shape ``(n,)`` each, ``n >= 2``). The
    split-to-split variation cancels in ``a - b``, so the interval is narrower than the two
    separate :func:`mean_ci` intervals suggest. "A beats B" is supported when ``mean - half > 0``.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(
            f"paired_diff_ci: a and b must have the same shape (n,), got {x.shape} and {y.shape}"
        )
    return mean_ci(x - y, level)
