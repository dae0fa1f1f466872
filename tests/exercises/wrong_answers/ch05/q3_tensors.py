# Returns tensors instead of Python floats.
import torch

from mmlearn.data.vqa import ANSWERS, OBJECT_DIM, QUESTION_DIM, make_sort_of_clevr
from mmlearn.models import RelationNetwork, build_classifier


def order_sensitivity(seed):
    scenes = make_sort_of_clevr(10, seed=seed)
    q, objects = scenes.dataset().modalities
    perm = torch.randperm(6, generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed)
    rn = RelationNetwork(QUESTION_DIM, OBJECT_DIM, len(ANSWERS))
    torch.manual_seed(seed)
    flat = build_classifier("concat", [QUESTION_DIM, 6 * OBJECT_DIM], len(ANSWERS), embed_dim=16, fusion_dim=16)
    with torch.no_grad():
        rn_gap = (rn(q, objects) - rn(q, objects[:, perm])).abs().max()
        flat_gap = (flat(q, objects.flatten(1)) - flat(q, objects[:, perm].flatten(1))).abs().max()
    return rn_gap, flat_gap
