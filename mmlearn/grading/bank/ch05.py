"""Chapter 5, co-attention and multi-step reasoning: one hop of stacked attention, the relation
network's first layer computed per object (derivation), and the order invariance of the relation
network against concatenation (experiment)."""

from __future__ import annotations

import random

import torch

from ..checks import assert_close, assert_not_modified, draw_batches
from ..spec import Question
from ..subject import Answer


def check_hop(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    for b in draw_batches(rng):
        n, d, h = rng.randint(2, 7), rng.randint(2, 8), rng.randint(2, 8)
        v = torch.randn(b, n, d, generator=g, dtype=torch.float64)
        u = torch.randn(b, d, generator=g, dtype=torch.float64)
        wa = torch.randn(d, h, generator=g, dtype=torch.float64)
        wb = torch.randn(d, h, generator=g, dtype=torch.float64)
        w = torch.randn(h, generator=g, dtype=torch.float64)
        p = (torch.tanh(v @ wa + (u @ wb)[:, None, :]) @ w).softmax(dim=1)
        where = f"stacked_attention_hop with B={b}, L={n}, d={d}, h={h}"
        result = assert_not_modified(fn, v, u, wa, wb, w, name=where)
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError("stacked_attention_hop should return a tuple (u_next, p)")
        u_next, p_got = result
        assert_close(p_got, p, f"the hop weights p (B, L) ({where})")
        assert_close(
            u_next, u + torch.einsum("bl,bld->bd", p, v), f"the refined query u_next (B, d) ({where})"
        )
    for dtype in (torch.float32, torch.float64):
        u_next, _ = fn(v.to(dtype), u.to(dtype), wa.to(dtype), wb.to(dtype), w.to(dtype))
        if not isinstance(u_next, torch.Tensor) or u_next.dtype != dtype:
            raise AssertionError(f"stacked_attention_hop should keep the inputs' dtype {dtype}")


def check_pair_layer(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 1)
    g = torch.Generator().manual_seed(seed + 1)
    for b in draw_batches(rng):
        n, d, dq, h = rng.randint(2, 6), rng.randint(1, 6), rng.randint(1, 5), rng.randint(1, 7)
        objects = torch.randn(b, n, d, generator=g, dtype=torch.float64)
        q = torch.randn(b, dq, generator=g, dtype=torch.float64)
        weight = torch.randn(h, 2 * d + dq, generator=g, dtype=torch.float64)
        bias = torch.randn(h, generator=g, dtype=torch.float64)
        pairs = torch.cat(
            [
                objects[:, :, None, :].expand(b, n, n, d),
                objects[:, None, :, :].expand(b, n, n, d),
                q[:, None, None, :].expand(b, n, n, dq),
            ],
            dim=-1,
        )
        expected = pairs @ weight.T + bias
        where = f"pair_preactivations with B={b}, N={n}, d_o={d}, d_q={dq}, h={h}"
        got = assert_not_modified(fn, objects, q, weight, bias, name=where)
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (b, n, n, h):
            shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            raise AssertionError(f"{where}: expected a tensor of shape {(b, n, n, h)}, got {shape}")
        assert_close(got, expected, f"the pre-activations of every pair (i, j) ({where})")


def _order_reference(seed: int) -> tuple[float, float]:
    from mmlearn.data.vqa import ANSWERS, OBJECT_DIM, QUESTION_DIM, make_sort_of_clevr
    from mmlearn.models import RelationNetwork, build_classifier

    scenes = make_sort_of_clevr(10, seed=seed)
    q, objects = scenes.dataset().modalities
    perm = torch.randperm(objects.shape[1], generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed)
    rn = RelationNetwork(QUESTION_DIM, OBJECT_DIM, len(ANSWERS))
    torch.manual_seed(seed)
    flat = build_classifier(
        "concat", [QUESTION_DIM, 6 * OBJECT_DIM], len(ANSWERS), embed_dim=16, fusion_dim=16
    )
    with torch.no_grad():
        rn_gap = (rn(q, objects) - rn(q, objects[:, perm])).abs().max()
        flat_gap = (flat(q, objects.flatten(1)) - flat(q, objects[:, perm].flatten(1))).abs().max()
    return float(rn_gap), float(flat_gap)


def check_order(fn: Answer, seed: int) -> None:
    for s in (seed, seed + 17):
        result = fn(s)
        if not isinstance(result, tuple) or len(result) != 2 or any(type(x) is not float for x in result):
            raise AssertionError("order_sensitivity should return a tuple of two Python floats")
        rn_gap, flat_gap = result
        _, expected_flat = _order_reference(s)
        if not rn_gap < 1e-4:
            raise AssertionError(
                f"order_sensitivity({s}): the relation network's logits changed by {rn_gap:.3g} when the "
                "objects were reordered; a sum over all pairs cannot depend on their order"
            )
        if abs(flat_gap - expected_flat) > 1e-4 * max(1.0, expected_flat):
            raise AssertionError(
                f"order_sensitivity({s}): the change of the concatenation model's logits is {flat_gap:.4g}; "
                "follow the recipe (seeds, sizes, the permutation) exactly"
            )
        if not flat_gap > 1e-3:
            raise AssertionError(f"order_sensitivity({s}): concatenation should depend on the object order")


QUESTIONS = [
    Question(
        "q1",
        "stacked_attention_hop",
        ("v", "u", "wa", "wb", "w"),
        check_hop,
        3,
        "One hop of stacked attention",
        kind="implementation",
    ),
    Question(
        "q2",
        "pair_preactivations",
        ("objects", "q", "weight", "bias"),
        check_pair_layer,
        2,
        "The relation network's first layer, per object",
        kind="derivation",
    ),
    Question(
        "q3",
        "order_sensitivity",
        ("seed",),
        check_order,
        2,
        "Order invariance: relation network against concatenation",
        kind="experiment",
    ),
]
