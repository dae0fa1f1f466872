"""The procedural Sort-of-CLEVR set: determinism, answers recomputed from the scene, balance."""

from __future__ import annotations

import numpy as np
import pytest

from mmlearn.data.vqa import (
    ANSWERS,
    COLOURS,
    KINDS,
    OBJECT_DIM,
    QUESTION_DIM,
    QUESTION_VOCAB,
    RGB,
    make_sort_of_clevr,
)


@pytest.fixture(scope="module")
def data():
    return make_sort_of_clevr(200, seed=7, pixels=True)


def test_determinism():
    a, b, c = (make_sort_of_clevr(30, seed=s, pixels=True) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.answer, b.answer)
    np.testing.assert_array_equal(a.objects, b.objects)
    assert not np.array_equal(a.positions, c.positions)


def _brute_force_answer(d, i):
    """The answer of question ``i`` read off the object *features* (slot order), independently."""
    s, c = d.scene[i], d.colour[i]
    objs = d.objects[s]
    colour = objs[:, :6].argmax(1)
    me = objs[colour == c][0]
    kind = KINDS[d.kind[i]]
    if kind == "shape":
        return SHAPESMAP[int(me[7] == 1)]
    if kind == "left/right":
        return "right" if me[8] >= 0 else "left"
    if kind == "top/bottom":
        return "bottom" if me[9] >= 0 else "top"
    dist = [np.hypot(*(o[8:] - me[8:])) for o in objs]
    others = [j for j in range(6) if colour[j] != c]
    if kind == "closest":
        return COLOURS[colour[min(others, key=lambda j: dist[j])]]
    if kind == "furthest":
        return COLOURS[colour[max(others, key=lambda j: dist[j])]]
    return str(int(sum(o[7] == me[7] for o in objs)))


SHAPESMAP = {0: "circle", 1: "square"}


def test_answers_recomputed_from_the_object_features(data):
    for i in range(data.n_questions):
        assert ANSWERS[data.answer[i]] == _brute_force_answer(data, i), (i, data.question_text(i))


def test_images_show_each_object_in_its_colour_and_shape(data):
    size, r = data.size, data.radius
    circle, square = np.pi * (r * size) ** 2, 4 * (r * size) ** 2  # areas in pixels
    for s in range(50):
        for c in range(6):
            x, y = data.positions[s, c]
            np.testing.assert_allclose(data.images[s, :, int(y * size), int(x * size)], RGB[c])
            count = (np.abs(data.images[s] - RGB[c][:, None, None]).sum(0) < 1e-6).sum()
            # pixelisation moves an area by less than half the gap between the two shapes
            assert (count > (circle + square) / 2) == (data.shapes[s, c] == 1), (s, c, count)
        assert (data.images[s].sum(0) > 0).mean() < 0.5  # mostly background


def test_kinds_exactly_balanced_and_colours_and_binary_answers_near_uniform(data):
    d = make_sort_of_clevr(1500, seed=3)
    assert (np.bincount(d.kind) == 1500).all()
    n = len(d.colour)
    counts = np.bincount(d.colour, minlength=6)
    assert (abs(counts - n / 6) < 4 * np.sqrt(n * (1 / 6) * (5 / 6))).all()
    for k in (0, 1, 2):  # shape, left/right, top/bottom: each answer with probability ~1/2
        a = d.answer[d.kind == k]
        frac = (a == a.min()).mean()
        assert abs(frac - 0.5) < 4 * np.sqrt(0.25 / len(a)), (k, frac)
    assert d.relational.mean() == 0.5


def test_objects_are_shuffled_and_do_not_overlap(data):
    assert (data.order != np.arange(6)).any(axis=1).mean() > 0.9
    for s in range(data.shapes.shape[0]):
        d = np.linalg.norm(data.positions[s][:, None] - data.positions[s][None], axis=-1)
        assert d[~np.eye(6, dtype=bool)].min() >= 3 * data.radius - 1e-6
    unshuffled = make_sort_of_clevr(10, seed=7, shuffle=False)
    assert (unshuffled.objects[:, :, :6].argmax(-1) == np.arange(6)).all()


def test_questions_and_views(data):
    q = data.question_vectors()
    assert q.shape == (data.n_questions, QUESTION_DIM)
    np.testing.assert_array_equal(q[:, :6].argmax(1), data.colour)
    np.testing.assert_array_equal(q[:, 6:8].argmax(1), data.relational.astype(int))
    tokens = data.question_tokens()
    words = [[QUESTION_VOCAB[t] for t in row] for row in tokens[:6]]
    assert [w[1] for w in words] == list(KINDS)
    assert words[0][2] == COLOURS[data.colour[0]]
    assert data.dataset().modalities[1].shape == (data.n_questions, 6, OBJECT_DIM)
    assert data.dataset("flat_objects").modalities[1].shape == (data.n_questions, 60)
    assert data.dataset("regions", patch=8).modalities[1].shape == (data.n_questions, 16, 192)
    assert data.dataset(question="tokens").modalities[0].shape == (data.n_questions, 3)
    # region r of scene s is the patch at row r // 4, column r % 4
    regions = data.regions(8)
    np.testing.assert_array_equal(regions[3, 6].reshape(3, 8, 8), data.images[3, :, 8:16, 16:24])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_scenes": 0}, "n_scenes"),
        ({"n_scenes": 2, "radius": 0.3}, "radius"),
        ({"n_scenes": 2, "size": 4}, "size"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_sort_of_clevr(**kwargs)


def test_bad_views(data):
    with pytest.raises(ValueError, match="view must be one of"):
        data.dataset("voxels")
    with pytest.raises(ValueError, match="patch must be a positive divisor"):
        data.regions(5)
    with pytest.raises(ValueError, match="pixels=True"):
        make_sort_of_clevr(2).dataset("pixels")
