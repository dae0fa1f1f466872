"""Load the reference fusions of block.bootstrap.pytorch 0.1.6 for side-by-side benchmarks.

The package's ``__init__`` imports a training framework that is not installed, so this module
downloads the sdist from PyPI once (``pip download``), and loads ``fusions.py`` and the ``mlp.py``
it imports as a synthetic package. None of the reference code is committed to this repository.
Cache: ``$MMLEARN_BENCH_CACHE`` or ``~/.cache/mmlearn-bench``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import types
from pathlib import Path

VERSION = "0.1.6"
SDIST = f"block.bootstrap.pytorch-{VERSION}.tar.gz"
INNER = f"block.bootstrap.pytorch-{VERSION}/block/models/networks"


def _cache_dir() -> Path:
    return Path(os.environ.get("MMLEARN_BENCH_CACHE", Path.home() / ".cache" / "mmlearn-bench"))


def _sources() -> Path:
    cache = _cache_dir()
    target = cache / INNER
    if (target / "fusions" / "fusions.py").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / SDIST
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-q",
                "-d",
                str(cache),
                f"block.bootstrap.pytorch=={VERSION}",
            ],
            check=True,
        )
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(INNER) and m.name.endswith(".py")]
        tar.extractall(cache, members=members, filter="data")
    return target


def load_reference_fusions() -> types.ModuleType:
    """The reference ``fusions`` module (classes Block, BlockTucker, Mutan, Tucker, MLB, MFB, MFH,
    MCB, LinearSum, ConcatMLP)."""
    if "_blockref.fusions.fusions" in sys.modules:
        return sys.modules["_blockref.fusions.fusions"]
    root = _sources()
    package = types.ModuleType("_blockref")
    package.__path__ = [str(root)]
    sys.modules["_blockref"] = package
    subpackage = types.ModuleType("_blockref.fusions")
    subpackage.__path__ = [str(root / "fusions")]
    sys.modules["_blockref.fusions"] = subpackage
    for name, path in [
        ("_blockref.mlp", root / "mlp.py"),
        ("_blockref.fusions.fusions", root / "fusions" / "fusions.py"),
    ]:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules["_blockref.fusions.fusions"]


if __name__ == "__main__":
    ref = load_reference_fusions()
    print(sorted(n for n in dir(ref) if n[:1].isupper()))
