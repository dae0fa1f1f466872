"""A procedural visual-question-answering set in the spirit of Sort-of-CLEVR (Santoro et al., 2017).

Every scene holds six objects, one of each colour, each a circle or a square, at a random
position in the unit square (no two objects overlap). Every scene gets one question of each of
six kinds (so the kinds are exactly balanced), about an object named by its colour:

======  ===============  ======================================================  ===========
kind    type             question about the object of colour ``c``                answers
======  ===============  ======================================================  ===========
0       non-relational   what is its shape?                                      circle/square
1       non-relational   is it on the left or on the right of the image?         left/right
2       non-relational   is it in the top or in the bottom half?                 top/bottom
3       relational       what colour is the object closest to it?                6 colours
4       relational       what colour is the object furthest from it?             6 colours
5       relational       how many objects have its shape (itself included)?      1..6
======  ===============  ======================================================  ===========

Two views of the same scenes:

* **objects** ``(n, 6, 10)``: per object the colour one-hot (6), the shape one-hot (2) and the
  centred position ``(2x - 1, 2y - 1)`` in ``[-1, 1]`` (``y`` grows downwards, as in an image;
  centring puts the position on the scale of the one-hots, which speeds up training). The object order is
  shuffled per scene, so a slot says nothing about the colour.
* **pixels** ``(n, 3, size, size)`` in ``[0, 1]`` on a black background, and the same image cut
  into ``patch x patch`` regions ``(n, (size/patch)^2, 3 patch^2)`` for attention over regions.

Questions come as a vector ``(n_q, 11)`` (colour one-hot 6, type one-hot 2, sub-type one-hot 3,
as in the original set) or as three tokens ``(n_q, 3)`` over :data:`QUESTION_VOCAB`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .dataset import MultimodalDataset

COLOURS = ("red", "green", "blue", "orange", "gray", "yellow")
RGB = np.array(
    [
        [1.0, 0.1, 0.1],
        [0.1, 0.8, 0.1],
        [0.2, 0.3, 1.0],
        [1.0, 0.55, 0.0],
        [0.55, 0.55, 0.55],
        [1.0, 1.0, 0.1],
    ],
    dtype=np.float32,
)
SHAPES = ("circle", "square")
KINDS = ("shape", "left/right", "top/bottom", "closest", "furthest", "count")
RELATIONAL = np.array([False, False, False, True, True, True])
ANSWERS = COLOURS + SHAPES + ("left", "right", "top", "bottom") + tuple(str(k) for k in range(1, 7))
QUESTION_VOCAB = ("non-relational", "relational", *KINDS, *COLOURS)
N_OBJECTS = len(COLOURS)
OBJECT_DIM = N_OBJECTS + len(SHAPES) + 2
QUESTION_DIM = N_OBJECTS + 2 + 3


def answer_of(kind: int, colour: int, shapes: np.ndarray, positions: np.ndarray) -> int:
    """The answer index (into :data:`ANSWERS`) of question ``kind`` about object ``colour``.

    ``shapes (6,)`` and ``positions (6, 2)`` are indexed by colour.
    """
    p = positions[colour]
    if kind == 0:
        return N_OBJECTS + int(shapes[colour])
    if kind == 1:
        return N_OBJECTS + 2 + int(p[0] >= 0.5)
    if kind == 2:
        return N_OBJECTS + 4 + int(p[1] >= 0.5)
    if kind in (3, 4):
        d = np.linalg.norm(positions - p, axis=1)
        d[colour] = np.inf if kind == 3 else -np.inf
        return int(np.argmin(d) if kind == 3 else np.argmax(d))
    if kind == 5:
        return N_OBJECTS + 6 + int((shapes == shapes[colour]).sum()) - 1
    raise ValueError(f"answer_of: kind must be in 0..5, got {kind}")


def _place(rng: np.random.Generator, radius: float, min_distance: float) -> np.ndarray:
    """Six centres in ``[radius, 1 - radius]^2`` at least ``min_distance`` apart (rejection)."""
    while True:
        points: list[np.ndarray] = []
        for _ in range(200):
            p = rng.uniform(radius, 1 - radius, size=2)
            if all(np.linalg.norm(p - q) >= min_distance for q in points):
                points.append(p)
                if len(points) == N_OBJECTS:
                    return np.array(points)


def render(shapes: np.ndarray, positions: np.ndarray, size: int, radius: float) -> np.ndarray:
    """Draw one scene: ``(3, size, size)`` float32, black background, objects indexed by colour."""
    image = np.zeros((3, size, size), dtype=np.float32)
    centres = (np.arange(size) + 0.5) / size
    yy, xx = np.meshgrid(centres, centres, indexing="ij")
    for c in range(N_OBJECTS):
        dx, dy = xx - positions[c, 0], yy - positions[c, 1]
        inside = dx**2 + dy**2 <= radius**2 if shapes[c] == 0 else np.maximum(abs(dx), abs(dy)) <= radius
        image[:, inside] = RGB[c][:, None]
    return image


@dataclass
class SortOfClevr:
    """Scenes, questions and answers. Scene arrays are indexed by colour; see the module doc.

    Attributes:
        shapes: ``(n_scenes, 6)`` 0 = circle, 1 = square, indexed by colour.
        positions: ``(n_scenes, 6, 2)`` object centres ``(x, y)`` in ``[0, 1]``, indexed by colour.
        order: ``(n_scenes, 6)`` the colour of the object stored in each slot of :attr:`objects`.
        objects: ``(n_scenes, 6, 10)`` object features in slot order.
        images: ``(n_scenes, 3, size, size)`` (``None`` unless ``pixels=True``).
        scene, kind, colour, answer: ``(n_questions,)`` the scene index, question kind (0..5),
            colour asked about and answer index of every question.
    """

    shapes: np.ndarray
    positions: np.ndarray
    order: np.ndarray
    objects: np.ndarray
    images: np.ndarray | None
    scene: np.ndarray
    kind: np.ndarray
    colour: np.ndarray
    answer: np.ndarray
    size: int
    radius: float

    @property
    def n_questions(self) -> int:
        return len(self.answer)

    @property
    def relational(self) -> np.ndarray:
        """``(n_questions,)`` True for relational questions."""
        return RELATIONAL[self.kind]

    def question_vectors(self) -> np.ndarray:
        """``(n_questions, 11)``: colour one-hot, type one-hot (non-rel, rel), sub-type one-hot."""
        q = np.zeros((self.n_questions, QUESTION_DIM), dtype=np.float32)
        rows = np.arange(self.n_questions)
        q[rows, self.colour] = 1
        q[rows, N_OBJECTS + self.relational.astype(int)] = 1
        q[rows, N_OBJECTS + 2 + self.kind % 3] = 1
        return q

    def question_tokens(self) -> np.ndarray:
        """``(n_questions, 3)`` token ids: type word, kind word, colour word."""
        return np.stack(
            [self.relational.astype(int), 2 + self.kind, 2 + len(KINDS) + self.colour], axis=1
        ).astype(np.int64)

    def question_text(self, i: int) -> str:
        kind, colour = KINDS[self.kind[i]], COLOURS[self.colour[i]]
        return f"{kind}? ({colour} object)"

    def regions(self, patch: int = 8) -> np.ndarray:
        """The images as a sequence of regions ``(n_scenes, (size/patch)^2, 3 patch^2)``."""
        if self.images is None:
            raise ValueError("regions: this set was generated with pixels=False")
        if patch <= 0 or self.size % patch:
            raise ValueError(f"regions: patch must be a positive divisor of size={self.size}, got {patch}")
        n, g = len(self.images), self.size // patch
        x = self.images.reshape(n, 3, g, patch, g, patch).transpose(0, 2, 4, 1, 3, 5)
        return x.reshape(n, g * g, 3 * patch * patch)

    def dataset(self, view: str = "objects", question: str = "vector", patch: int = 8) -> MultimodalDataset:
        """One row per question: ``[question, scene view]`` and the answer.

        ``view``: ``"objects"`` ``(n, 6, 10)``, ``"flat_objects"`` ``(n, 60)``, ``"pixels"``
        ``(n, 3, size, size)`` or ``"regions"`` ``(n, L, 3 patch^2)``. ``question``: ``"vector"``
        ``(n, 11)`` or ``"tokens"`` ``(n, 3)`` (integer ids).
        """
        views = {"objects", "flat_objects", "pixels", "regions"}
        if view not in views:
            raise ValueError(f"dataset: view must be one of {sorted(views)}, got {view!r}")
        if question not in ("vector", "tokens"):
            raise ValueError(f"dataset: question must be 'vector' or 'tokens', got {question!r}")
        if view == "objects":
            scene_view = self.objects
        elif view == "flat_objects":
            scene_view = self.objects.reshape(len(self.objects), -1)
        elif view == "pixels":
            if self.images is None:
                raise ValueError("dataset: view='pixels' needs a set generated with pixels=True")
            scene_view = self.images
        else:
            scene_view = self.regions(patch)
        q = self.question_vectors() if question == "vector" else self.question_tokens()
        data = MultimodalDataset(
            [torch.from_numpy(q), torch.from_numpy(scene_view)[torch.from_numpy(self.scene)]],
            torch.from_numpy(self.answer),
            names=["question", view],
        )
        return data


def make_sort_of_clevr(
    n_scenes: int,
    seed: int = 0,
    pixels: bool = False,
    size: int = 32,
    radius: float = 0.08,
    shuffle: bool = True,
) -> SortOfClevr:
    """Generate ``n_scenes`` scenes with six questions each (one per kind, random colour).

    Deterministic given ``seed``. ``pixels=True`` also draws ``size x size`` images (objects of
    half-width ``radius``, in units of the image side). Objects are at least ``3 radius`` apart.
    ``shuffle=False`` stores the objects in colour order (slot ``k`` holds colour ``k``), the
    easiest layout for a model that reads slots by position, such as concatenation + MLP.
    """
    if not isinstance(n_scenes, int) or isinstance(n_scenes, bool) or n_scenes <= 0:
        raise ValueError(f"make_sort_of_clevr: n_scenes must be a positive int, got {n_scenes!r}")
    if not 0 < radius <= 0.12:
        raise ValueError(
            f"make_sort_of_clevr: radius must be in (0, 0.12] so that six objects fit, got {radius}"
        )
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"make_sort_of_clevr: size must be an int >= 8, got {size!r}")
    rng = np.random.default_rng(seed)
    shapes = rng.integers(0, 2, size=(n_scenes, N_OBJECTS))
    positions = np.stack([_place(rng, radius, 3 * radius) for _ in range(n_scenes)])
    order = np.stack([rng.permutation(N_OBJECTS) for _ in range(n_scenes)])
    if not shuffle:
        order = np.tile(np.arange(N_OBJECTS), (n_scenes, 1))
    rows = np.arange(n_scenes)[:, None]
    objects = np.concatenate(
        [np.eye(N_OBJECTS)[order], np.eye(2)[shapes[rows, order]], 2 * positions[rows, order] - 1], axis=-1
    ).astype(np.float32)
    scene = np.repeat(np.arange(n_scenes), len(KINDS))
    kind = np.tile(np.arange(len(KINDS)), n_scenes)
    colour = rng.integers(0, N_OBJECTS, size=len(scene))
    answer = np.array(
        [answer_of(k, c, shapes[s], positions[s]) for s, k, c in zip(scene, kind, colour, strict=True)]
    )
    images = None
    if pixels:
        images = np.stack([render(shapes[i], positions[i], size, radius) for i in range(n_scenes)])
    return SortOfClevr(
        shapes,
        positions.astype(np.float32),
        order,
        objects,
        images,
        scene,
        kind,
        colour,
        answer,
        size,
        radius,
    )
