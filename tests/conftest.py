import os

# Notebook kernels and grader subprocesses inherit this: keep the 2-core CI machine responsive.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest
import torch


@pytest.fixture
def float64_default():
    """Run a test with float64 as torch's default dtype (for exact comparisons)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
