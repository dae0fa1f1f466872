"""Metrics against hand-computed cases, error cases and stability cases."""

import math

import pytest
import torch

from mmlearn.metrics import (
    accuracy,
    cosine_distance,
    cosine_similarity,
    euclidean,
    hamming,
    js_divergence,
    kl_divergence,
    manhattan,
    matching_degree,
    pairwise_cosine,
    pairwise_distances,
    pairwise_euclidean,
    pairwise_hamming,
    pairwise_manhattan,
    recall_at_k,
)

D = torch.float64


def test_distances_hand_computed():
    a = torch.tensor([[0.0, 0.0], [1.0, 2.0]], dtype=D)
    b = torch.tensor([[3.0, 4.0], [1.0, 2.0]], dtype=D)
    torch.testing.assert_close(euclidean(a, b), torch.tensor([5.0, 0.0], dtype=D))
    torch.testing.assert_close(manhattan(a, b), torch.tensor([7.0, 0.0], dtype=D))
    u = torch.tensor([[1.0, 0.0], [1.0, 1.0], [2.0, 0.0]], dtype=D)
    v = torch.tensor([[0.0, 3.0], [-2.0, -2.0], [5.0, 0.0]], dtype=D)
    torch.testing.assert_close(cosine_similarity(u, v), torch.tensor([0.0, -1.0, 1.0], dtype=D))
    torch.testing.assert_close(cosine_distance(u, v), torch.tensor([1.0, 2.0, 0.0], dtype=D))
    codes_a = torch.tensor([[1, 0, 1, 1], [0, 0, 0, 0]])
    codes_b = torch.tensor([[1, 1, 0, 1], [0, 0, 0, 0]])
    assert hamming(codes_a, codes_b).tolist() == [2, 0]
    torch.testing.assert_close(hamming(codes_a, codes_b, normalize=True), torch.tensor([0.5, 0.0]))


def test_pairwise_agree_with_paired_versions():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(4, 3, generator=g, dtype=D), torch.randn(5, 3, generator=g, dtype=D)
    pe, pm, pc = pairwise_euclidean(a, b), pairwise_manhattan(a, b), pairwise_cosine(a, b)
    assert pe.shape == (4, 5)
    for i in range(4):
        rep = a[i].expand(5, 3)
        torch.testing.assert_close(pe[i], euclidean(rep, b))
        torch.testing.assert_close(pm[i], manhattan(rep, b))
        torch.testing.assert_close(pc[i], cosine_similarity(rep, b))
    torch.testing.assert_close(pe, torch.cdist(a, b))
    torch.testing.assert_close(pairwise_distances(a, b, "cosine"), 1 - pc)
    ca, cb = (a > 0).int(), (b > 0).int()
    assert pairwise_hamming(ca, cb)[1, 2] == hamming(ca[1:2], cb[2:3])[0]
    with pytest.raises(ValueError, match="metric"):
        pairwise_distances(a, b, "chebyshev")


def test_sign_code_hamming_equals_inner_product_formula():
    # for codes in {-1, +1}^d: hamming = (d - a.b) / 2
    g = torch.Generator().manual_seed(1)
    a = torch.randn(6, 16, generator=g, dtype=D).sign()
    b = torch.randn(6, 16, generator=g, dtype=D).sign()
    torch.testing.assert_close(hamming(a, b).to(D), (16 - (a * b).sum(1)) / 2)


def test_no_nan_gradient_at_identical_and_zero_vectors():
    a = torch.randn(3, 4, dtype=D, requires_grad=True)
    (euclidean(a, a.detach().clone()).sum() + pairwise_euclidean(a, a).sum()).backward()
    assert torch.isfinite(a.grad).all()
    z = torch.zeros(2, 4, dtype=D, requires_grad=True)
    s = cosine_similarity(z, torch.ones(2, 4, dtype=D))
    assert (s == 0).all()
    (s.sum() + pairwise_cosine(z, z).sum() + euclidean(z, torch.zeros(2, 4, dtype=D)).sum()).backward()
    assert torch.isfinite(z.grad).all()


def test_distance_errors():
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        euclidean(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="feature size"):
        manhattan(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="paired"):
        cosine_similarity(torch.zeros(2, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="empty"):
        euclidean(torch.zeros(0, 3), torch.zeros(0, 3))
    with pytest.raises(TypeError, match="dtype"):
        euclidean(torch.zeros(2, 3), torch.zeros(2, 3, dtype=D))


def test_kl_and_js_hand_computed():
    p = torch.tensor([0.5, 0.5], dtype=D)
    q = torch.tensor([0.25, 0.75], dtype=D)
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    torch.testing.assert_close(kl_divergence(p, q), torch.tensor(kl, dtype=D))
    m = [0.375, 0.625]
    js = 0.5 * sum(pi * math.log(pi / mi) for pi, mi in zip([0.5, 0.5], m, strict=True)) + 0.5 * sum(
        qi * math.log(qi / mi) for qi, mi in zip([0.25, 0.75], m, strict=True)
    )
    torch.testing.assert_close(js_divergence(p, q), torch.tensor(js, dtype=D))
    torch.testing.assert_close(js_divergence(q, p), js_divergence(p, q))


def test_divergence_limits_and_zero_probabilities():
    one_hot = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=D)
    other = torch.tensor([[0.0, 1.0], [0.0, 1.0]], dtype=D)
    js = js_divergence(one_hot, other)
    torch.testing.assert_close(js, torch.tensor([math.log(2.0), 0.0], dtype=D))  # disjoint: log 2
    kl = kl_divergence(one_hot, other)
    assert math.isinf(kl[0].item()) and kl[1].item() == 0.0
    assert not torch.isnan(kl).any()
    g = torch.Generator().manual_seed(3)
    p = torch.rand(50, 7, generator=g, dtype=D).softmax(1)
    q = torch.rand(50, 7, generator=g, dtype=D).softmax(1)
    assert (kl_divergence(p, q) >= 0).all() and (js_divergence(p, q) <= math.log(2)).all()


def test_divergence_gradcheck():
    g = torch.Generator().manual_seed(4)
    logits = torch.randn(3, 5, generator=g, dtype=D, requires_grad=True)
    target = torch.randn(3, 5, generator=g, dtype=D).softmax(1)
    assert torch.autograd.gradcheck(lambda z: js_divergence(z.softmax(1), target), (logits,))
    assert torch.autograd.gradcheck(lambda z: kl_divergence(target, z.softmax(1)), (logits,))


def test_invalid_probability_vectors():
    good = torch.tensor([0.5, 0.5])
    with pytest.raises(ValueError, match="negative"):
        kl_divergence(torch.tensor([1.5, -0.5]), good)
    with pytest.raises(ValueError, match="sum to one"):
        js_divergence(good, torch.tensor([0.5, 0.6]))
    with pytest.raises(ValueError, match="same shape"):
        js_divergence(good, torch.tensor([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match="NaN"):
        js_divergence(good, torch.tensor([float("nan"), 0.5]))
    with pytest.raises(ValueError, match=r"\(C,\)"):
        kl_divergence(torch.zeros(0, 2), torch.zeros(0, 2))


def test_matching_degree():
    g = torch.Generator().manual_seed(5)
    a = torch.randn(8, 4, generator=g, dtype=D)
    for method in ("cosine", "kl", "js"):
        torch.testing.assert_close(matching_degree(a, a, method), torch.ones(8, dtype=D))
        assert (matching_degree(a, -a, method) < 1).all()
    torch.testing.assert_close(matching_degree(a, -a, "cosine"), -torch.ones(8, dtype=D))
    p = torch.tensor([[1.0, 0.0]], dtype=D)
    q = torch.tensor([[0.0, 1.0]], dtype=D)
    torch.testing.assert_close(matching_degree(p, q, "js", temperature=None), torch.zeros(1, dtype=D))
    with pytest.raises(ValueError, match="method"):
        matching_degree(a, a, "euclid")
    with pytest.raises(ValueError, match="temperature"):
        matching_degree(a, a, "js", temperature=0.0)


def test_accuracy_hand_computed_and_errors():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(torch.tensor([1, 1]), torch.tensor([1, 0])) == 0.5
    with pytest.raises(ValueError, match="empty"):
        accuracy(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        accuracy(logits, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="integer"):
        accuracy(logits, torch.tensor([0.0, 1.0, 1.0]))


def test_recall_at_k_hand_computed():
    sim = torch.tensor(
        [
            [0.9, 0.1, 0.0, 0.2],  # target 0 ranked 1
            [0.8, 0.5, 0.7, 0.0],  # target 1 ranked 3
            [0.1, 0.2, 0.3, 0.4],  # target 2 ranked 2
        ]
    )
    r = recall_at_k(sim, ks=(1, 2, 3))
    assert r == {1: pytest.approx(1 / 3), 2: pytest.approx(2 / 3), 3: pytest.approx(1.0)}
    ties = torch.ones(2, 2)  # a tie counts against the query
    assert recall_at_k(ties, ks=(1,))[1] == 0.0
    r = recall_at_k(sim, ks=(1,), targets=torch.tensor([0, 0, 3]))
    assert r[1] == pytest.approx(1.0)


def test_recall_errors():
    with pytest.raises(ValueError, match="empty"):
        recall_at_k(torch.zeros(0, 3))
    with pytest.raises(ValueError, match="ks"):
        recall_at_k(torch.zeros(2, 2), ks=(0,))
    with pytest.raises(ValueError, match="n_candidates"):
        recall_at_k(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="targets"):
        recall_at_k(torch.zeros(2, 2), targets=torch.tensor([0, 5]))


def test_recall_at_k_refuses_nan_scores_instead_of_counting_them_as_hits():
    import pytest

    from mmlearn.metrics import recall_at_k

    sim = torch.full((4, 4), float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        recall_at_k(sim, ks=(1,))
    sim = torch.eye(4)
    sim[2, 0] = float("nan")
    with pytest.raises(ValueError, match=r"rows \[2\]"):
        recall_at_k(sim, ks=(1,))


def test_kl_divergence_is_never_negative_for_rows_within_the_tolerance():
    from mmlearn.metrics import js_divergence, kl_divergence

    p = torch.tensor([[0.5, 0.5 - 4e-5]], dtype=torch.float64)  # sums to 1 - 4e-5: accepted
    q = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    assert (kl_divergence(p, q) >= 0).all()
    assert (js_divergence(p, q) >= 0).all()
    torch.testing.assert_close(kl_divergence(q, q), torch.zeros(1, dtype=torch.float64))
