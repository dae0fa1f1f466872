"""Augmentation and imperfect-modality transforms (chapter 11).

Four strategies, each keeping the labels of the samples it produces:

* **replacement**: transform a sample into a plausible variant, per modality (image flips and
  crops, additive Gaussian noise on feature vectors);
* **masking**: hide a random subset of the features (set them to a fill value);
* **sampling**: draw a (stratified) subset or a bootstrap sample of the training set;
* **balancing**: over- or under-sample so that every class is equally frequent.

Imperfect modalities: :func:`modality_dropout` / :class:`ModalityDropout` hide whole modalities
during training; :func:`drop_modality` and :func:`noisy_modality` build evaluation sets with a
missing or noisy modality. Two signals sampled at different rates are put on one time grid by
:func:`interpolate_to_rate` (linear interpolation, i.e. point sampling of the interpolant: it
aliases content above the target rate's Nyquist frequency) or, for the faster signal, by
:func:`box_average_to_rate` (a box low-pass filter over each target period, then decimation).
``align_rates`` is the deprecated name of :func:`interpolate_to_rate` (earlier versions of the book
also used that name for the window mean, which :func:`box_average_to_rate` computes).

Datasets are :class:`~mmlearn.data.MultimodalDataset`; every random function takes a
``torch.Generator`` (or a seed) so that results are reproducible. After standardisation a
feature of value 0 is the training mean, so filling with 0 is mean imputation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor

from .._validation import check_probability
from .dataset import MultimodalDataset


def _gen(generator: torch.Generator | int | None) -> torch.Generator:
    if isinstance(generator, torch.Generator):
        return generator
    return torch.Generator().manual_seed(0 if generator is None else int(generator))


def _modality_index(data: MultimodalDataset, modality: str | int, owner: str) -> int:
    if isinstance(modality, int) and not isinstance(modality, bool):
        if not 0 <= modality < len(data.modalities):
            raise ValueError(f"{owner}: modality index {modality} out of range for {data.names}")
        return modality
    if modality not in data.names:
        raise ValueError(f"{owner}: unknown modality {modality!r}; this dataset has {data.names}")
    return data.names.index(modality)


def _replace(data: MultimodalDataset, index: int, value: Tensor) -> MultimodalDataset:
    views = list(data.modalities)
    views[index] = value
    return MultimodalDataset(views, data.labels, data.names)


# --- replacement -------------------------------------------------------------------------------


def random_flip(
    images: Tensor, p: float = 0.5, dim: int = -1, generator: torch.Generator | int | None = None
) -> Tensor:
    """Flip each image along ``dim`` (-1: left-right) with probability ``p``.

    ``images``: ``(n, h, w)`` or ``(n, c, h, w)``; same shape out. Only label-preserving when the
    class is invariant to the mirror image (a '2' mirrored is not a '2').
    """
    if images.dim() < 3:
        raise ValueError(f"random_flip: images must be (n, h, w) or (n, c, h, w), got {tuple(images.shape)}")
    check_probability(p, "p", "random_flip", upper_open=False)
    flip = torch.rand(images.shape[0], generator=_gen(generator)) < p
    out = images.clone()
    out[flip] = images[flip].flip(dim)
    return out


def random_crop(images: Tensor, padding: int = 2, generator: torch.Generator | int | None = None) -> Tensor:
    """Pad by ``padding`` zeros on every side, then crop back to ``(h, w)`` at a random offset.

    A random translation of up to ``padding`` pixels per axis. ``images``: ``(n, h, w)``.
    """
    if images.dim() != 3:
        raise ValueError(f"random_crop: images must have shape (n, h, w), got {tuple(images.shape)}")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"random_crop: padding must be an int >= 0, got {padding!r}")
    n, h, w = images.shape
    padded = torch.nn.functional.pad(images, (padding, padding, padding, padding))
    g = _gen(generator)
    dy = torch.randint(0, 2 * padding + 1, (n,), generator=g)
    dx = torch.randint(0, 2 * padding + 1, (n,), generator=g)
    rows = (dy[:, None] + torch.arange(h)[None, :])[:, :, None]  # (n, h, 1)
    cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, :]  # (n, 1, w)
    return padded[torch.arange(n)[:, None, None], rows, cols]


def add_noise(x: Tensor, std: float, generator: torch.Generator | int | None = None) -> Tensor:
    """``x + std * N(0, I)``, any shape."""
    if std < 0:
        raise ValueError(f"add_noise: std must be >= 0, got {std}")
    return x + std * torch.randn(x.shape, generator=_gen(generator), dtype=x.dtype).to(x.device)


def as_image_transform(fn: Callable[[Tensor], Tensor], shape: tuple[int, int]) -> Callable[[Tensor], Tensor]:
    """Wrap an image transform for a flattened view: ``(n, h*w) -> (n, h, w) -> fn -> (n, h*w)``."""
    h, w = shape

    def apply(x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != h * w:
            raise ValueError(f"image transform: expected shape (n, {h * w}), got {tuple(x.shape)}")
        return fn(x.reshape(-1, h, w)).reshape(x.shape[0], h * w)

    return apply


def replace_augment(
    data: MultimodalDataset,
    transforms: Mapping[str, Callable[[Tensor], Tensor]],
    copies: int = 1,
    keep_original: bool = True,
) -> MultimodalDataset:
    """Replacement strategy: ``copies`` transformed copies of ``data`` (plus the original).

    ``transforms`` maps a modality name to a function ``(n, ...) -> (n, ...)``; modalities not
    named are copied unchanged. Labels are repeated: every copy keeps its sample's label.
    """
    for name in transforms:
        _modality_index(data, name, "replace_augment")
    if not isinstance(copies, int) or copies < 1:
        raise ValueError(f"replace_augment: copies must be a positive int, got {copies!r}")
    parts = [data] if keep_original else []
    for _ in range(copies):
        views = []
        for name, x in zip(data.names, data.modalities, strict=True):
            y = transforms[name](x) if name in transforms else x
            if y.shape != x.shape:
                raise ValueError(
                    f"replace_augment: the transform of {name!r} changed the shape "
                    f"{tuple(x.shape)} -> {tuple(y.shape)}"
                )
            views.append(y)
        parts.append(MultimodalDataset(views, data.labels, data.names))
    return concat_datasets(parts)


def concat_datasets(parts: Sequence[MultimodalDataset]) -> MultimodalDataset:
    """Stack datasets with the same modalities row-wise."""
    if not parts:
        raise ValueError("concat_datasets: nothing to concatenate")
    names = parts[0].names
    if any(p.names != names for p in parts):
        raise ValueError("concat_datasets: every part must have the same modalities")
    views = [torch.cat([p.modalities[m] for p in parts]) for m in range(len(names))]
    return MultimodalDataset(views, torch.cat([p.labels for p in parts]), names)


# --- masking -----------------------------------------------------------------------------------


def mask_features(
    x: Tensor, p: float, value: float = 0.0, generator: torch.Generator | int | None = None
) -> tuple[Tensor, Tensor]:
    """Hide each entry of ``x`` independently with probability ``p``.

    Returns ``(masked, keep)`` with ``keep`` a boolean tensor of ``x``'s shape (True: kept) and
    ``masked = where(keep, x, value)``.
    """
    check_probability(p, "p", "mask_features", upper_open=False)
    keep = torch.rand(x.shape, generator=_gen(generator)).to(x.device) >= p
    return torch.where(keep, x, torch.full_like(x, value)), keep


def mask_dataset(
    data: MultimodalDataset,
    p: float,
    modalities: Sequence[str] | None = None,
    value: float = 0.0,
    generator: torch.Generator | int | None = None,
) -> MultimodalDataset:
    """Masking strategy: mask features of the named modalities (default all); labels untouched."""
    g = _gen(generator)
    names = list(modalities) if modalities is not None else data.names
    out = data
    for name in names:
        i = _modality_index(data, name, "mask_dataset")
        out = _replace(out, i, mask_features(data.modalities[i], p, value, g)[0])
    return out


# --- sampling and balancing --------------------------------------------------------------------


def subsample(
    data: MultimodalDataset,
    fraction: float,
    stratify: bool = True,
    replace: bool = False,
    generator: torch.Generator | int | None = None,
) -> MultimodalDataset:
    """Sampling strategy: a random ``fraction`` of the samples, per class if ``stratify``.

    With ``replace=True`` (and ``fraction=1``) this is a bootstrap sample.
    """
    if not 0 < fraction <= (float("inf") if replace else 1):
        raise ValueError(f"subsample: fraction must be in (0, 1] (any > 0 with replace), got {fraction}")
    if len(data) == 0:
        raise ValueError("subsample: the dataset is empty")
    g = _gen(generator)
    groups = (
        [torch.nonzero(data.labels == c).flatten() for c in data.labels.unique()]
        if stratify
        else [torch.arange(len(data))]
    )
    picks = []
    for idx in groups:
        k = max(1, round(fraction * len(idx)))
        if replace:
            pos = torch.randint(len(idx), (k,), generator=g)
        else:
            pos = torch.randperm(len(idx), generator=g)[:k]
        picks.append(idx[pos])
    return data.subset(torch.cat(picks))


def class_counts(labels: Tensor, n_classes: int | None = None) -> Tensor:
    """Number of samples of each class, ``(C,)``."""
    return torch.bincount(labels, minlength=n_classes or 0)


def balance(
    data: MultimodalDataset, strategy: str = "oversample", generator: torch.Generator | int | None = None
) -> MultimodalDataset:
    """Balancing strategy: equal class counts, by repeating random samples of the small classes
    (``"oversample"``, to the largest count) or dropping samples of the large ones
    (``"undersample"``, to the smallest count)."""
    if strategy not in ("oversample", "undersample"):
        raise ValueError(f"balance: strategy must be 'oversample' or 'undersample', got {strategy!r}")
    if len(data) == 0:
        raise ValueError("balance: the dataset is empty")
    g = _gen(generator)
    groups = [torch.nonzero(data.labels == c).flatten() for c in data.labels.unique()]
    sizes = [len(idx) for idx in groups]
    target = max(sizes) if strategy == "oversample" else min(sizes)
    picks = []
    for idx in groups:
        if strategy == "oversample":
            extra = idx[torch.randint(len(idx), (target - len(idx),), generator=g)]
            picks += [idx, extra]
        else:
            picks.append(idx[torch.randperm(len(idx), generator=g)[:target]])
    return data.subset(torch.cat(picks))


# --- missing and noisy modalities --------------------------------------------------------------


def modality_dropout_mask(n: int, m: int, p: float, generator: torch.Generator | int | None = None) -> Tensor:
    """Which modalities each sample keeps: ``(n, m)`` bool, each entry False with probability
    ``p``, never all False in a row (such a row keeps one modality chosen uniformly at random)."""
    check_probability(p, "p", "modality_dropout_mask")
    g = _gen(generator)
    keep = torch.rand(n, m, generator=g) >= p
    none = ~keep.any(1)
    rescue = torch.randint(m, (n,), generator=g)
    keep[none, rescue[none]] = True
    return keep


def modality_dropout(
    xs: Sequence[Tensor], p: float, generator: torch.Generator | int | None = None
) -> list[Tensor]:
    """Zero each modality of each sample with probability ``p``, never all of them at once.

    ``xs``: ``M`` tensors ``(batch, ...)``. A sample whose draw drops every modality keeps one
    chosen uniformly at random, so the model always sees some input.
    """
    check_probability(p, "p", "modality_dropout")
    if not xs:
        raise ValueError("modality_dropout: no modalities given")
    keep = modality_dropout_mask(xs[0].shape[0], len(xs), p, generator)
    return zero_dropped(xs, keep)


def zero_dropped(xs: Sequence[Tensor], keep: Tensor) -> list[Tensor]:
    """``x_m * keep[:, m]`` for every modality: ``keep (batch, M)`` bool broadcast over features."""
    n = keep.shape[0]
    out = []
    for i, x in enumerate(xs):
        mask = keep[:, i].to(x.device).reshape(n, *([1] * (x.dim() - 1)))
        out.append(x * mask.to(x.dtype))
    return out


def drop_modality(data: MultimodalDataset, modality: str | int, value: float = 0.0) -> MultimodalDataset:
    """The dataset with one modality missing, replaced by ``value`` everywhere (0: mean imputation
    of standardised features). Labels and the other modalities are unchanged."""
    i = _modality_index(data, modality, "drop_modality")
    return _replace(data, i, torch.full_like(data.modalities[i], value))


def noisy_modality(
    data: MultimodalDataset, modality: str | int, std: float, generator: torch.Generator | int | None = None
) -> MultimodalDataset:
    """The dataset with Gaussian noise of standard deviation ``std`` added to one modality."""
    i = _modality_index(data, modality, "noisy_modality")
    return _replace(data, i, add_noise(data.modalities[i], std, generator))


# --- alignment of different sampling rates -----------------------------------------------------


def resample(x: Tensor, times: Tensor, new_times: Tensor) -> Tensor:
    """Linear interpolation of a sampled signal onto new time stamps.

    ``x``: ``(L, d)`` or ``(n, L, d)`` values at increasing ``times`` ``(L,)``; returns the values
    at ``new_times`` ``(L',)``, shape ``(L', d)`` or ``(n, L', d)``. New times must lie inside
    ``[times[0], times[-1]]`` (no extrapolation). Differentiable in ``x``.
    """
    if x.dim() not in (2, 3) or x.shape[-2] != times.shape[0] or times.dim() != 1:
        raise ValueError(
            f"resample: x must be (L, d) or (n, L, d) with L = len(times); got x "
            f"{tuple(x.shape)}, times {tuple(times.shape)}"
        )
    if times.shape[0] < 2 or not (times[1:] > times[:-1]).all():
        raise ValueError("resample: times must be strictly increasing, with at least two samples")
    if new_times.dim() != 1 or new_times.min() < times[0] or new_times.max() > times[-1]:
        raise ValueError(f"resample: new_times must be 1-D within [{times[0].item()}, {times[-1].item()}]")
    t = times.to(x.dtype)
    nt = new_times.to(x.dtype)
    right = torch.searchsorted(t, nt).clamp(1, len(t) - 1)
    left = right - 1
    frac = ((nt - t[left]) / (t[right] - t[left]))[:, None]  # (L', 1)
    return x[..., left, :] * (1 - frac) + x[..., right, :] * frac


def interpolate_to_rate(
    a: Tensor, rate_a: float, b: Tensor, rate_b: float, rate: float | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """Put two signals sampled at ``rate_a`` and ``rate_b`` Hz on one grid by linear interpolation.

    ``a``: ``(..., L_a, d_a)`` sampled at ``t = k / rate_a``; ``b``: ``(..., L_b, d_b)`` at
    ``k / rate_b``, both starting at ``t = 0``. Both are linearly interpolated onto
    ``t = k / rate`` (default: the lower of the two rates) over the time span both cover.
    Returns ``(a', b', t)`` with ``a'``: ``(..., L, d_a)``, ``b'``: ``(..., L, d_b)``, ``t``: ``(L,)``.

    Interpolating the faster signal onto the slower grid is *point sampling*: content above
    ``rate / 2`` is not removed but aliased (a sinusoid of frequency ``f`` appears at
    :func:`alias_frequency` ``(f, rate)``). Low-pass first with :func:`box_average_to_rate`
    when the fast signal has such content.
    """
    for name, r in (("rate_a", rate_a), ("rate_b", rate_b), ("rate", rate)):
        if r is not None and not r > 0:
            raise ValueError(f"interpolate_to_rate: {name} must be positive, got {r}")
    ta = torch.arange(a.shape[-2], dtype=torch.float64) / rate_a
    tb = torch.arange(b.shape[-2], dtype=torch.float64) / rate_b
    end = min(ta[-1].item(), tb[-1].item())
    step = 1.0 / (rate or min(rate_a, rate_b))
    grid = torch.arange(0.0, end + 1e-9, step, dtype=torch.float64)
    return resample(a, ta, grid), resample(b, tb, grid), grid


def align_rates(
    a: Tensor, rate_a: float, b: Tensor, rate_b: float, rate: float | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """Deprecated name of :func:`interpolate_to_rate` (same arguments, same result)."""
    import warnings

    warnings.warn(
        "mmlearn.data.augment.align_rates is deprecated: it interpolates, use interpolate_to_rate "
        "(or box_average_to_rate to low-pass before decimating)",
        DeprecationWarning,
        stacklevel=2,
    )
    return interpolate_to_rate(a, rate_a, b, rate_b, rate)


def box_average_to_rate(x: Tensor, rate_in: float, rate_out: float) -> tuple[Tensor, Tensor]:
    r"""Low-pass by a box average over each output period, then decimate to ``rate_out`` Hz.

    ``x``: ``(..., L, d)`` sampled at ``t = k / rate_in``, with ``rate_out <= rate_in``. Output
    frame ``j`` is the mean of the input samples with ``j / rate_out <= t < (j + 1) / rate_out``
    (the same number of samples in every frame when the ratio is an integer ``r``: the window
    mean of ``r`` consecutive frames); only complete periods are kept. Returns ``(y, t)``,
    ``y``: ``(..., J, d)`` and ``t``: ``(J,)`` the start of each period.

    For a sinusoid of frequency ``f`` and an integer ratio ``r``, the average of ``r`` samples
    multiplies the amplitude by :math:`|\sin(\pi f r / f_{in}) / (r \sin(\pi f / f_{in}))|`
    (the continuous box gives :math:`|\operatorname{sinc}(f / f_{out})|`): the filter removes
    multiples of ``rate_out`` entirely and attenuates the rest of the band that would alias.
    Differentiable in ``x``.
    """
    if x.dim() < 2:
        raise ValueError(f"box_average_to_rate: x must be (..., L, d), got shape {tuple(x.shape)}")
    if not rate_in > 0 or not rate_out > 0:
        raise ValueError(f"box_average_to_rate: rates must be positive, got {rate_in} and {rate_out}")
    if rate_out > rate_in:
        raise ValueError(
            f"box_average_to_rate: rate_out ({rate_out}) must not exceed rate_in ({rate_in}); "
            "use interpolate_to_rate to go up in rate"
        )
    length = x.shape[-2]
    # window index of every input sample; the small tolerance keeps k / rate_in exactly on a
    # boundary (e.g. 10/100 vs 3/30) in the later window
    window = torch.floor(torch.arange(length, dtype=torch.float64) * rate_out / rate_in + 1e-9).long()
    n_out = int(math.floor(length * rate_out / rate_in + 1e-9))
    if n_out < 1:
        raise ValueError(
            f"box_average_to_rate: x has {length} samples, fewer than one output period at {rate_out} Hz"
        )
    onehot = (window[None, :] == torch.arange(n_out)[:, None]).to(x.dtype)  # (J, L)
    weights = onehot / onehot.sum(1, keepdim=True)
    y = torch.einsum("jl,...ld->...jd", weights, x)
    return y, torch.arange(n_out, dtype=torch.float64) / rate_out


def alias_frequency(f: float, rate: float) -> float:
    """The frequency at which a sinusoid of ``f`` Hz appears when point-sampled at ``rate`` Hz.

    ``|f - rate * round(f / rate)|``, in ``[0, rate / 2]``: e.g. 20 Hz seen at 30 Hz is 10 Hz.
    """
    if not rate > 0 or f < 0:
        raise ValueError(f"alias_frequency: need f >= 0 and rate > 0, got f={f}, rate={rate}")
    return float(abs(f - rate * round(f / rate)))
