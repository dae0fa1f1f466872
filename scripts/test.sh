#!/usr/bin/env bash
# Runs every test: ruff (lint and format) and mypy on mmlearn; every book notebook once (two at a
# time, failing on an error or over 90 s) into the cache the builds read; the unit tests of
# mmlearn; the exercise graders (reference, stub, wrong answers and attacks); every exercise
# notebook under nbval; a mutation sample of the fusions; then builds the website and the PDF
# from that one execution, checks the PDF, opens every page of the website in headless Chromium
# with the network cut off, and JupyterLab on an exercise and on a chapter's live explorer.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage prints its wall-clock time; the table is printed at the end and kept in
# _build/ci_times.txt (the 2-core CI machine must finish the whole command in under 12 minutes).
mkdir -p _build
times=_build/ci_times.txt
: >"$times"
t_all=$SECONDS
finish() {  # the table of stage times, also when a stage fails
    cpu
    printf '%-30s %4d s wall %5d s CPU\n' "total" $((SECONDS - t_all)) "$CPU" >>"$times"
    echo "stage times:"
    cat "$times"
}
trap finish EXIT
cpu_file=_build/.cpu_times
cpu() {  # CPU: seconds (user + sys) used so far by the finished commands of this shell
    times >"$cpu_file"  # the builtin, run in this shell (a pipe or $(...) would fork and read 0)
    CPU=$(tail -1 "$cpu_file" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%d", s }')
}
stage() {  # stage NAME COMMAND...: run COMMAND, record its wall and CPU time under NAME
    local name=$1 t0=$SECONDS c0
    cpu
    c0=$CPU
    shift
    echo "=== $name"
    "$@"
    cpu
    printf '%-30s %4d s wall %5d s CPU\n' "$name" $((SECONDS - t0)) $((CPU - c0)) | tee -a "$times"
}
stage setup bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the website test"
    (apt-get install -y -q chromium >/dev/null 2>&1 ||
     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) ||
        echo "could not install chromium: the website test will be skipped"
fi
stage "install sandbox" bash scripts/install_sandbox.sh
export OMP_NUM_THREADS=1 MPLBACKEND=Agg
stage "ruff check" .venv/bin/ruff check mmlearn tests benchmarks scripts
stage "ruff format" .venv/bin/ruff format --check .
stage mypy .venv/bin/mypy
# The book's notebooks run once, two at a time, into the cache that the website and the PDF
# builds read: a cell that raises or a notebook over 90 s fails here (the times are printed).
stage "book notebooks (2 at once)" .venv/bin/python scripts/execute_book.py --jobs 2
# unit tests, graders, exercise notebooks under nbval (the book's notebooks ran just above)
stage "pytest + nbval" .venv/bin/python -m pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env -p no:cacheprovider -m "not browser" --ignore=book "$@"
# a small mutation sample of mmlearn/fusion (the full score: scripts/mutation_check.py --n 30)
stage "mutation sample" .venv/bin/python scripts/mutation_check.py --n 6 --threshold 0.8
stage "book build (site + PDF)" env MMBOOK_EXECUTED=1 bash scripts/build_book.sh
stage "browser tests" .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_website.py tests/test_lab.py tests/test_static_explorers.py
