#!/usr/bin/env bash
# Runs every test: ruff (lint and format) and mypy on mmlearn; the unit tests of mmlearn; the
# exercise graders (reference, stub, wrong answers and attacks); every book and exercise notebook
# under nbval; a mutation sample of the fusions; then builds the book and opens every page of the
# website in headless Chromium with the network cut off, and JupyterLab on an exercise.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage prints its wall-clock time; the table is printed at the end and kept in
# _build/ci_times.txt (the 2-core CI machine must finish the whole command in under 12 minutes).
mkdir -p _build
times=_build/ci_times.txt
: >"$times"
t_all=$SECONDS
stage() {  # stage NAME COMMAND...: run COMMAND, record its wall time under NAME
    local name=$1 t0=$SECONDS
    shift
    echo "=== $name"
    "$@"
    printf '%-28s %4d s\n' "$name" $((SECONDS - t0)) | tee -a "$times"
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
stage "pytest + nbval" .venv/bin/python -m pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env -p no:cacheprovider -m "not browser" "$@"
# a small mutation sample of mmlearn/fusion (the full score: scripts/mutation_check.py --n 30)
stage "mutation sample" .venv/bin/python scripts/mutation_check.py --n 6 --threshold 0.8
stage "book build" bash scripts/build_book.sh
stage "browser tests" .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_website.py tests/test_lab.py tests/test_static_explorers.py
printf '%-28s %4d s\n' "total" $((SECONDS - t_all)) | tee -a "$times"
echo "stage times:"; cat "$times"
