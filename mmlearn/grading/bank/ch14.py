"""Chapter 14, does the model fuse: the EMAP projection and the I_min redundancy of the
Williams-Beer partial information decomposition."""

from __future__ import annotations

import math
import random

import torch

from ..checks import as_tensor, assert_close, assert_not_modified, assert_shape
from ..spec import Question
from ..subject import Answer

D = torch.float64


def _emap(table):
    return table.mean(1) + table.mean(0) - table.mean((0, 1))


def check_emap(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    for additive in (False, True):
        n, c = rng.randint(2, 9), rng.randint(1, 4)
        a, b = torch.randn(n, 1, c, generator=g, dtype=D), torch.randn(1, n, c, generator=g, dtype=D)
        table = a + b  # f(x1_i, x2_j) = g1(x1_i) + g2(x2_j)
        if not additive:
            table = table + torch.randn(n, n, c, generator=g, dtype=D)
        out = assert_not_modified(fn, table, name="emap(table)")
        assert_shape(out, (n, c), f"emap of a table (n={n}, n={n}, C={c})")
        what = "an additive table (its projection is the table's diagonal)" if additive else "a random table"
        assert_close(out, _emap(table), f"emap of {what}, n={n}")
        if additive:
            assert_close(out, table.diagonal().T, "emap of an additive f must return f at the observed pairs")


def _imin(p):
    py = p.sum((0, 1))
    red = 0.0
    for y in range(p.shape[2]):
        if py[y] <= 0:
            continue
        spec = []
        for marg in (p.sum(1), p.sum(0)):  # p(x1, y), p(x2, y)
            px = marg.sum(1)
            s = 0.0
            for x in range(marg.shape[0]):
                if marg[x, y] > 0:
                    s += marg[x, y] / py[y] * math.log2(marg[x, y] / (px[x] * py[y]))
            spec.append(s)
        red += float(py[y]) * float(min(spec))
    return float(red)


def _scalar(value, name):
    t = as_tensor(value, name)
    if t.numel() != 1:
        raise AssertionError(f"{name} should be a single number, got shape {tuple(t.shape)}")
    return t.reshape(()).to(D)


def check_imin(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed + 1)
    for _ in range(3):
        shape = (rng.randint(2, 4), rng.randint(2, 4), rng.randint(2, 3))
        p = torch.rand(*shape, generator=g, dtype=D) ** 3
        p[0, 0, 0] = 0.0  # an empty cell: 0 log 0 = 0
        p = p / p.sum()
        got = _scalar(assert_not_modified(fn, p, name="imin_redundancy(p)"), "imin_redundancy(p)")
        assert_close(
            got, torch.tensor(_imin(p), dtype=D), f"imin_redundancy on a random table of shape {shape}"
        )
    xor = torch.zeros(2, 2, 2, dtype=D)
    for a in range(2):
        for b in range(2):
            xor[a, b, a ^ b] = 0.25
    assert_close(
        _scalar(fn(xor), "imin_redundancy"), torch.tensor(0.0, dtype=D), "imin_redundancy of Y = X1 XOR X2"
    )
    copy = torch.zeros(2, 2, 2, dtype=D)
    copy[0, 0, 0] = copy[1, 1, 1] = 0.5
    assert_close(
        _scalar(fn(copy), "imin_redundancy"), torch.tensor(1.0, dtype=D), "imin_redundancy of Y = X1 = X2"
    )


def _logistic_accuracy(train_x, train_y, test_x, test_y):
    """Plain logistic regression (no penalty), full-batch L-BFGS, 100 iterations."""
    w = torch.zeros(train_x.shape[1], dtype=train_x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=train_x.dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=100)
    target = train_y.to(train_x.dtype)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(train_x @ w + b, target)
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return float(((test_x @ w + b > 0).long() == test_y).double().mean())


def _xor_reference(seed: int) -> tuple[float, float]:
    from mmlearn.data import make_pid_task

    t = make_pid_task("synergistic", n=400, noise=0.3, seed=seed)
    x1, x2, y = t.x1.double(), t.x2.double(), t.y
    additive = torch.cat([x1, x2], 1)
    product = torch.cat([additive, (x1[:, :, None] * x2[:, None, :]).flatten(1)], 1)
    add = _logistic_accuracy(additive[:300], y[:300], additive[300:], y[300:])
    return add, _logistic_accuracy(product[:300], y[:300], product[300:], y[300:])


def check_xor_experiment(fn: Answer, seed: int) -> None:
    seen = []
    for s in (seed % 1000, seed % 1000 + 1, seed % 1000 + 2):
        got = fn(s)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise AssertionError(
                f"xor_experiment({s}) must return a pair (additive_acc, product_acc), got {got!r}"
            )
        additive, product = (float(v) for v in got)
        seen.append((additive, product))
        ref_add, ref_prod = _xor_reference(s)
        if not product > 0.9:
            raise AssertionError(
                f"xor_experiment({s}): the model with products should solve the XOR, got {product:.3f}"
            )
        if not additive < 0.7:
            raise AssertionError(
                f"xor_experiment({s}): an additive model should stay near chance, got {additive:.3f}"
            )
        if abs(additive - ref_add) > 0.1 or abs(product - ref_prod) > 0.1:
            raise AssertionError(
                f"xor_experiment({s}) returned ({additive:.3f}, {product:.3f}); the described protocol gives "
                "numbers within 0.1 of a different pair: check the task, the split and the features"
            )
    if len(set(seen)) == 1:
        raise AssertionError("xor_experiment returned the same numbers for three seeds: run the experiment")


QUESTIONS = [
    Question("q1", "emap", ("table",), check_emap, 3, "The EMAP projection", kind="derivation"),
    Question(
        "q2",
        "imin_redundancy",
        ("p",),
        check_imin,
        3,
        "Redundancy of the Williams-Beer decomposition",
        kind="derivation",
    ),
    Question(
        "q3",
        "xor_experiment",
        ("seed",),
        check_xor_experiment,
        3,
        "An additive model on a synergistic task",
        kind="experiment",
    ),
]
