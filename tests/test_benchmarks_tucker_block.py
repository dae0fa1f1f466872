"""The benchmark's weight copy: with the reference's weights our modules give the reference's
outputs and have its parameter counts (tiny sizes; the reference sources come from PyPI: marked
``network``)."""

from __future__ import annotations

import pytest
import torch

from benchmarks.bench_tucker_block import build_pair, forward_flops

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def ref_lib():
    try:
        from benchmarks.reference import load_reference_fusions

        return load_reference_fusions()
    except Exception as err:  # no network or no pip
        # a failure, not a skip: deselect with -m "not network" on a machine without PyPI
        pytest.fail(f"reference fusions not available (needs PyPI): {err}")


HYPER = {
    "tucker": {"mm_dim": 6},
    "mutan": {"mm_dim": 6, "rank": 3},
    "block": {"mm_dim": 12, "chunks": 4, "rank": 3},
    "block_tucker": {"mm_dim": 12, "chunks": 3},
}


@pytest.mark.parametrize("name", sorted(HYPER))
def test_same_weights_same_outputs_same_counts(name, ref_lib):
    ref, mine = build_pair(name, (7, 5), 4, HYPER[name], ref_lib)
    assert mine.n_params == ref.n_params
    ref, mine = ref.double().eval(), mine.double().eval()
    g = torch.Generator().manual_seed(0)
    xs = [torch.randn(9, d, generator=g, dtype=torch.float64) for d in (7, 5)]
    torch.testing.assert_close(mine(*xs), ref(xs), rtol=1e-5, atol=1e-5)


def test_reference_tucker_ignores_shared_ours_does_not(ref_lib):
    ref = ref_lib.Tucker([6, 6], 4, mm_dim=5, shared=True)
    assert ref.linear0 is not ref.linear1  # the reference silently keeps two projections
    _, mine = build_pair("tucker", (6, 6), 4, {"mm_dim": 5}, ref_lib)
    shared = type(mine)([6, 6], 4, mm_dim=5, shared=True)
    assert shared.n_params == mine.n_params - (6 + 1) * 5


def test_flop_count_of_block_is_the_sum_of_its_products():
    hyper = {"mm_dim": 12, "chunks": 4, "rank": 3}
    s = 3
    expected = 2 * 5 * ((7 + 5) * 12 + 12 * 4 + 4 * 2 * s * s * 3)
    assert forward_flops("block", 5, (7, 5), 4, hyper) == expected
