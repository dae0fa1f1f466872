"""Executes every notebook of the book once, in parallel, into the cache the book builds read.

CI runs this once; the website build and the PDF build (``_config.yml``: ``execute_notebooks:
cache``) then take every notebook's outputs from the cache instead of executing it again, and
pytest leaves the book's notebooks to this script (``--ignore=book``). A notebook fails here as it
fails under ``pytest --nbval-lax``: any cell that raises. Each notebook must also finish within
``--limit`` seconds (90 s on the 2-core CI machine); the table of times is printed and written to
``_build/notebook_times.txt``. A figure whose text would be shown smaller than 9 px on the site
fails its notebook too (``mmlearn.viz.text_size``, registered in each kernel as a matplotlib
``figure.hooks`` entry).

    python scripts/execute_book.py            # clear the cache, execute all, 2 at a time
    python scripts/execute_book.py book/ch05_coattention.ipynb --jobs 1

The cache keys on the code cells only, so a change in ``mmlearn`` would not invalidate it: the
cache is cleared at the start unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMES = ROOT / "_build" / "notebook_times.txt"


def book_notebooks() -> list[Path]:
    """The notebooks named in ``_toc.yml`` (any file the book includes, in book order)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            if "root" in node:
                files.append(node["root"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    seen: list[Path] = []
    for f in files:
        for path in (ROOT / f"{f}.ipynb", ROOT / f"{f}.md", ROOT / f):
            # a Markdown page is a notebook when its front matter names a kernel (MyST notebook)
            if path.suffix == ".md" and path.exists() and not _is_md_notebook(path):
                continue
            if path.suffix in (".ipynb", ".md") and path.exists() and path not in seen:
                seen.append(path)
                break
    return seen


def _is_md_notebook(path: Path) -> bool:
    text = path.read_text(encoding="utf8")
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1] if text.count("---") >= 2 else ""
    return "kernelspec:" in front


def _read(path: str):
    """The notebook as the book build reads it (MyST Markdown through myst-nb's own reader, so
    that the cache's hash of its code cells is the one the build looks up)."""
    import nbformat

    if path.endswith(".md"):
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(Path(path).read_text(encoding="utf8"), path=path)
    return nbformat.read(path, as_version=4)


def _execute(path: str, timeout: int) -> tuple[str, float, object, str | None]:
    """Runs in a worker process: execute one notebook in its folder, return it with its time."""
    from jupyter_cache.executors.utils import single_nb_execution
    from traitlets.config import Config

    from mmlearn.viz.text_size import LOG_VARIABLE, MIN_PX

    # Kernels talk over IPC files, not TCP ports: two kernels started at once can otherwise be
    # given the same free port, and a client then waits for replies that went to the other one.
    config = Config()
    config.KernelManager.transport = "ipc"
    sockets = Path(tempfile.mkdtemp(prefix="mmbook-kernel-"))
    config.KernelManager.ip = str(sockets / "ipc")
    # every pyplot figure of the kernel reports text too small to read on the site to a log
    # (mmlearn/viz/text_size.py): matplotlib reads figure.hooks from this matplotlibrc
    (sockets / "matplotlibrc").write_text("figure.hooks: mmlearn.viz.text_size:watch\n")
    text_log = sockets / "figure_text.log"
    os.environ["MATPLOTLIBRC"] = str(sockets)
    os.environ[LOG_VARIABLE] = str(text_log)
    nb = _read(path)
    try:
        result = single_nb_execution(
            nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=False, config=config
        )
        small = list(dict.fromkeys(text_log.read_text().splitlines())) if text_log.exists() else []
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    error = result.exc_string
    if small and not error:
        error = f"figure text shown below {MIN_PX:.0f} px on the site (title | sizes):\n  " + "\n  ".join(
            small
        )
    return path, result.time, result.nb, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (2)")
    parser.add_argument(
        "--limit",
        type=float,
        default=float(os.environ.get("MMBOOK_NOTEBOOK_LIMIT", 90)),
        help="wall seconds allowed per notebook (90, or $MMBOOK_NOTEBOOK_LIMIT on a shared machine)",
    )
    parser.add_argument("--timeout", type=int, default=150, help="seconds allowed per cell (150)")
    parser.add_argument("--keep", action="store_true", help="do not clear the cache first")
    args = parser.parse_args(argv)

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # kernels draw with the inline backend; an inherited MPLBACKEND=Agg would turn every glued
    # figure into the text "<Figure size ...>"
    os.environ.pop("MPLBACKEND", None)
    notebooks = [p.resolve() for p in args.notebooks] or book_notebooks()
    cache = get_cache(str(CACHE))
    if not args.keep:
        cache.clear_cache()
        cache = get_cache(str(CACHE))
    # longest first (times of the previous run, if any) keeps both workers busy to the end
    previous: dict[str, float] = {}
    if TIMES.exists():
        for line in TIMES.read_text().splitlines():
            parts = line.rsplit(None, 2)
            if len(parts) == 3 and parts[1].replace(".", "", 1).isdigit():
                previous[parts[0]] = float(parts[1])
    notebooks.sort(key=lambda p: -previous.get(str(p.relative_to(ROOT)), 60.0))

    times: dict[str, float] = {}
    failures: list[str] = []
    start = time.monotonic()
    # a fresh process per notebook (spawned, not forked from this one with its open cache)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=spawn, max_tasks_per_child=1) as pool:
        pending = {pool.submit(_execute, str(p), args.timeout) for p in notebooks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path, seconds, nb, error = future.result()
                name = str(Path(path).relative_to(ROOT))
                times[name] = seconds
                status = "ok"
                if error:
                    failures.append(f"{name} raised:\n{error}")
                    status = "FAILED"
                else:
                    cache.cache_notebook_bundle(
                        CacheBundleIn(nb, path, data={"execution_seconds": seconds}),
                        check_validity=False,
                        overwrite=True,
                    )
                    if seconds > args.limit:
                        failures.append(f"{name} took {seconds:.1f} s (limit {args.limit:.0f} s)")
                        status = "TOO SLOW"
                print(f"{name:<48} {seconds:6.1f} s  {status}", flush=True)
    wall = time.monotonic() - start
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text("".join(f"{n} {t:.1f} s\n" for n, t in sorted(times.items(), key=lambda kv: -kv[1])))
    print(
        f"{len(times)} notebooks, {sum(times.values()):.0f} s of notebook time in {wall:.0f} s "
        f"with {args.jobs} at a time; slowest {max(times.values(), default=0):.1f} s "
        f"(limit {args.limit:.0f} s)"
    )
    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
