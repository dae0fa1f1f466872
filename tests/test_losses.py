"""Every loss against a direct formula, gradcheck in float64, stability and error cases."""

import math

import pytest
import torch
import torch.nn.functional as F

from mmlearn.losses import (
    contrastive_loss,
    graph_laplacian,
    hard_negative_triplet_loss,
    info_nce_loss,
    instance_similarity_loss,
    knn_graph,
    label_similarity_loss,
    label_smoothing_loss,
    laplacian_penalty,
    optimal_logit_gap,
    smooth_labels,
    supervised_similarity_loss,
    triplet_loss,
)

D = torch.float64


def _rand(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=D)


def test_contrastive_direct_formula():
    a, b = _rand(6, 3), _rand(6, 3, seed=1)
    same = torch.tensor([1, 0, 1, 0, 0, 1])
    margin = 2.0
    total = 0.0
    for i in range(6):
        d = math.dist(a[i].tolist(), b[i].tolist())
        total += d**2 if same[i] else max(0.0, margin - d) ** 2
    torch.testing.assert_close(contrastive_loss(a, b, same, margin), torch.tensor(total / 6, dtype=D))


def test_triplet_direct_formula():
    a, p, n = _rand(5, 4), _rand(5, 4, seed=1), _rand(5, 4, seed=2)
    expected = (
        sum(
            max(0.0, math.dist(a[i].tolist(), p[i].tolist()) - math.dist(a[i].tolist(), n[i].tolist()) + 0.5)
            for i in range(5)
        )
        / 5
    )
    torch.testing.assert_close(triplet_loss(a, p, n, margin=0.5), torch.tensor(expected, dtype=D))


def test_hard_negative_triplet_direct_formula():
    a, b = _rand(5, 3), _rand(5, 3, seed=1)
    labels = torch.tensor([0, 0, 1, 1, 2])
    dist = torch.cdist(a, b)
    for lab in (None, labels):
        total = 0.0
        for i in range(5):
            negs = [j for j in range(5) if (j != i if lab is None else lab[j] != lab[i])]
            hardest = min(dist[i, j].item() for j in negs)
            total += max(0.0, dist[i, i].item() - hardest + 0.3)
        got = hard_negative_triplet_loss(a, b, margin=0.3, labels=lab)
        torch.testing.assert_close(got, torch.tensor(total / 5, dtype=D))


def test_hard_negative_is_at_least_the_mean_negative_triplet():
    # the hardest negative gives the largest hinge of all negatives
    a, b = _rand(8, 4), _rand(8, 4, seed=1)
    hard = hard_negative_triplet_loss(a, b, margin=0.2)
    for shift in range(1, 8):
        assert hard >= triplet_loss(a, b, b.roll(shift, 0), margin=0.2) - 1e-12


def test_info_nce_direct_formula():
    a, b = _rand(6, 4), _rand(6, 4, seed=1)
    t = 0.2
    cos = [[F.cosine_similarity(a[i], b[j], dim=0).item() for j in range(6)] for i in range(6)]
    s = torch.tensor(cos) / t
    rows = -sum(s[i, i] - math.log(sum(math.exp(s[i, j]) for j in range(6))) for i in range(6)) / 6
    cols = -sum(s[i, i] - math.log(sum(math.exp(s[j, i]) for j in range(6))) for i in range(6)) / 6
    torch.testing.assert_close(info_nce_loss(a, b, t, symmetric=False), torch.tensor(rows.item(), dtype=D))
    torch.testing.assert_close(info_nce_loss(a, b, t), torch.tensor((rows + cols).item() / 2, dtype=D))
    torch.testing.assert_close(instance_similarity_loss(a, b, t), info_nce_loss(a, b, t))


def test_info_nce_bounds_and_stability():
    a = _rand(10, 4)
    # random pairs: around log n; perfect orthogonal pairs at low temperature: near 0
    eye = torch.eye(10, dtype=D)
    assert info_nce_loss(eye, eye, temperature=0.01) < 1e-10
    zero = torch.zeros(10, 4, dtype=D, requires_grad=True)
    loss = info_nce_loss(zero, a)
    torch.testing.assert_close(loss, torch.tensor(math.log(10), dtype=D))  # all logits 0
    loss.backward()
    assert torch.isfinite(zero.grad).all()
    tiny_t = info_nce_loss(a, -a, temperature=1e-4)  # logits up to 1e4: log-sum-exp keeps it finite
    assert torch.isfinite(tiny_t)


@pytest.mark.parametrize(
    "name",
    ["contrastive", "triplet", "hard", "hard_cos", "nce", "supervised", "laplacian", "label", "smoothing"],
)
def test_gradcheck(name):
    a = _rand(6, 3, seed=10).requires_grad_()
    b = _rand(6, 3, seed=11).requires_grad_()
    labels = torch.tensor([0, 0, 1, 1, 2, 2])
    w = knn_graph(_rand(6, 5, seed=12), k=2)
    fns = {
        "contrastive": lambda x, y: contrastive_loss(x, y, torch.tensor([1, 0, 1, 0, 1, 0]), margin=3.0),
        "triplet": lambda x, y: triplet_loss(x, y, y.roll(1, 0), margin=1.0),
        "hard": lambda x, y: hard_negative_triplet_loss(x, y, margin=1.0, labels=labels),
        "hard_cos": lambda x, y: hard_negative_triplet_loss(x, y, margin=1.0, metric="cosine"),
        "nce": lambda x, y: info_nce_loss(x, y, temperature=0.5),
        "supervised": lambda x, y: supervised_similarity_loss(x + y, labels, margin=3.0),
        "laplacian": lambda x, y: laplacian_penalty(x * y, w),
        "label": lambda x, y: label_similarity_loss(x, F.one_hot(labels).to(D) + 0 * y),
        "smoothing": lambda x, y: label_smoothing_loss(x @ y.T, labels, eps=0.2),
    }
    assert torch.autograd.gradcheck(fns[name], (a, b))


def test_no_nan_gradient_at_identical_embeddings_and_zero_vectors():
    a = _rand(4, 3).requires_grad_()
    labels = torch.tensor([0, 1, 0, 1])
    same = torch.tensor([1, 0, 1, 0])
    total = (
        contrastive_loss(a, a, same)
        + triplet_loss(a, a, a)
        + hard_negative_triplet_loss(a, a)
        + supervised_similarity_loss(torch.cat([a, a]), torch.cat([labels, labels]))
        + info_nce_loss(a, a)
    )
    total.backward()
    assert torch.isfinite(a.grad).all()
    z = torch.zeros(4, 3, dtype=D, requires_grad=True)
    total = (
        contrastive_loss(z, z, same)
        + hard_negative_triplet_loss(z, z, metric="cosine")
        + supervised_similarity_loss(z, labels)
        + label_similarity_loss(z, F.one_hot(labels).to(D))
    )
    total.backward()
    assert torch.isfinite(z.grad).all()


def test_supervised_similarity_equals_contrastive_over_all_pairs():
    z = _rand(5, 3)
    labels = torch.tensor([0, 1, 0, 1, 1])
    i, j = torch.triu_indices(5, 5, offset=1)
    same = (labels[i] == labels[j]).long()
    pos = contrastive_loss(z[i][same == 1], z[j][same == 1], same[same == 1], margin=1.5)
    neg = contrastive_loss(z[i][same == 0], z[j][same == 0], same[same == 0], margin=1.5)
    torch.testing.assert_close(supervised_similarity_loss(z, labels, margin=1.5), pos + neg)


def test_supervised_similarity_gradient_pulls_and_pushes():
    z = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]], dtype=D, requires_grad=True)
    # 0 and 1 share a class (pulled together); 2 is another class, closer than the margin (pushed)
    supervised_similarity_loss(z, torch.tensor([0, 0, 1]), margin=2.0).backward()
    # descent (-grad) moves z_0 right, toward its classmate z_1 at 1.0, despite the push from z_2
    assert z.grad[0, 0] < 0
    # analytic: pull 2 (z_0 - z_1) / |P| with |P| = 1, push -2 (m - d) (z_0 - z_2) / (d |N|), |N| = 2
    d02 = 0.5
    push0 = -2 * (2.0 - d02) * (0.0 - 0.5) / d02 / 2
    torch.testing.assert_close(z.grad[0, 0], torch.tensor(2 * (0.0 - 1.0) + push0, dtype=D))


def test_laplacian_two_forms_and_gradient():
    x = _rand(7, 4)
    w = knn_graph(x, k=3, sigma=1.0)
    assert torch.equal(w, w.T) and (w.diagonal() == 0).all() and ((w > 0).sum(1) >= 3).all()
    z = _rand(7, 2, seed=1).requires_grad_()
    pairwise = sum(w[i, j] * (z[i] - z[j]).pow(2).sum() for i in range(7) for j in range(7)) / (2 * 7)
    penalty = laplacian_penalty(z, w)
    torch.testing.assert_close(penalty, pairwise)
    penalty.backward()
    torch.testing.assert_close(z.grad, 2 * graph_laplacian(w) @ z.detach() / 7)
    assert laplacian_penalty(torch.ones(7, 2, dtype=D), w).abs() < 1e-12  # constant embeddings are smooth


def test_label_similarity_zero_when_embeddings_are_the_labels():
    y = torch.tensor([[1.0, 0, 1], [0, 1, 0], [1, 1, 0]], dtype=D)
    assert label_similarity_loss(3 * y, y) < 1e-20
    cos = F.normalize(_rand(3, 2), dim=1)
    direct = ((cos @ cos.T - F.normalize(y, dim=1) @ F.normalize(y, dim=1).T) ** 2).mean()
    torch.testing.assert_close(label_similarity_loss(cos, y), direct)


def test_label_smoothing_matches_torch_and_decomposition():
    logits = _rand(8, 5)
    labels = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
    eps = 0.1
    loss = label_smoothing_loss(logits, labels, eps)
    torch.testing.assert_close(loss, F.cross_entropy(logits, labels, label_smoothing=eps))
    logp = logits.log_softmax(1)
    decomposed = (1 - eps) * F.nll_loss(logp, labels) + eps * (-logp.mean(1)).mean()
    torch.testing.assert_close(loss, decomposed)
    q = smooth_labels(labels, 5, eps, dtype=D)
    torch.testing.assert_close(q.sum(1), torch.ones(8, dtype=D))
    assert q.max() == pytest.approx(1 - eps + eps / 5) and q.min() == pytest.approx(eps / 5)


def test_label_smoothing_minimiser_is_the_smoothed_target():
    c, eps = 4, 0.2
    gap = optimal_logit_gap(c, eps)
    logits = torch.tensor([[gap, 0.0, 0.0, 0.0]], dtype=D, requires_grad=True)
    loss = label_smoothing_loss(logits, torch.tensor([0]), eps)
    loss.backward()
    torch.testing.assert_close(logits.grad, torch.zeros_like(logits), atol=1e-12, rtol=0)
    torch.testing.assert_close(logits.detach().softmax(1), smooth_labels(torch.tensor([0]), c, eps, D))


def test_label_smoothing_stable_for_huge_logits():
    logits = torch.tensor([[1e4, -1e4, 0.0]], dtype=torch.float32, requires_grad=True)
    loss = label_smoothing_loss(logits, torch.tensor([0]), 0.1)
    assert torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(logits.grad).all()


def test_loss_errors():
    a, b = _rand(4, 3), _rand(4, 3)
    with pytest.raises(ValueError, match="empty"):
        info_nce_loss(torch.zeros(0, 3), torch.zeros(0, 3))
    with pytest.raises(ValueError, match="paired"):
        info_nce_loss(a, _rand(5, 3))
    with pytest.raises(ValueError, match="temperature"):
        info_nce_loss(a, b, temperature=0)
    with pytest.raises(ValueError, match="margin"):
        triplet_loss(a, b, b, margin=-1)
    with pytest.raises(ValueError, match="same"):
        contrastive_loss(a, b, torch.tensor([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="no negative"):
        hard_negative_triplet_loss(a, b, labels=torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="no negative"):
        hard_negative_triplet_loss(a[:1], b[:1])
    with pytest.raises(ValueError, match="metric"):
        triplet_loss(a, b, b, metric="manhattan")
    with pytest.raises(ValueError, match="eps"):
        label_smoothing_loss(a, torch.tensor([0, 1, 2, 0]), eps=1.0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        label_smoothing_loss(a, torch.tensor([0, 1, 3, 0]))
    with pytest.raises(ValueError, match="symmetric"):
        laplacian_penalty(a, torch.triu(torch.ones(4, 4, dtype=D)))
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        laplacian_penalty(a, torch.ones(3, 3, dtype=D))
    with pytest.raises(ValueError, match="k must be"):
        knn_graph(a, k=4)
    with pytest.raises(ValueError, match="at least two"):
        supervised_similarity_loss(a[:1], torch.tensor([0]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_losses_on_cuda_match_cpu():
    a, b = _rand(8, 4), _rand(8, 4, seed=1)
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    fns = [
        lambda x, y, lab: info_nce_loss(x, y, 0.2),
        lambda x, y, lab: hard_negative_triplet_loss(x, y, 0.3, labels=lab),
        lambda x, y, lab: supervised_similarity_loss(x, lab),
        lambda x, y, lab: label_smoothing_loss(x @ y.T, lab),
        lambda x, y, lab: laplacian_penalty(x, knn_graph(y, k=2)),
    ]
    for fn in fns:
        torch.testing.assert_close(fn(a.cuda(), b.cuda(), labels.cuda()).cpu(), fn(a, b, labels))


def test_label_smoothing_with_eps_zero_is_finite_at_a_minus_inf_logit_like_cross_entropy():
    from mmlearn.losses import label_smoothing_loss

    logits = torch.tensor([[2.0, float("-inf"), 0.5], [0.1, 0.2, float("-inf")]])
    labels = torch.tensor([0, 1])
    ours = label_smoothing_loss(logits, labels, eps=0.0)
    ref = torch.nn.functional.cross_entropy(logits, labels)
    assert torch.isfinite(ours)
    torch.testing.assert_close(ours, ref)
