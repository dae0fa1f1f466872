"""Two-process DDP training (gloo, started by torchrun) matches single-process training."""

import os
import socket
import subprocess
import sys

import pytest
import torch

from mmlearn.data import make_interaction
from mmlearn.training.distributed import make_model, train_steps


@pytest.mark.slow
def _free_port() -> int:
    """A port no other process listens on now (a fixed port collides with parallel runs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_two_processes_matches_single_process(tmp_path):
    out = tmp_path / "ddp.pt"
    env = dict(os.environ, OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1")
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(_free_port()),
        "-m",
        "mmlearn.training.distributed",
        "--fusion",
        "concat",
        "--steps",
        "10",
        "--out",
        str(out),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "world size 2, backend gloo" in done.stdout
    ddp_state = torch.load(out)

    model = make_model("concat", seed=0)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    train_steps(model, make_interaction(n=512, dims=(8, 8), seed=0), steps=10, lr=0.05, seed=0)
    single_state = model.state_dict()
    for key, value in single_state.items():
        assert not torch.equal(value, initial[key]), f"{key} did not train"
        torch.testing.assert_close(ddp_state[key], value, rtol=1e-5, atol=1e-6)


def test_batch_must_split_evenly():
    model = make_model("concat", seed=0)
    with pytest.raises(ValueError, match="divisible by world_size"):
        train_steps(model, make_interaction(n=64, dims=(8, 8)), steps=1, batch_size=63, world_size=2)
