#!/usr/bin/env bash
# Runs every test: ruff (lint and format) and mypy on mmlearn; the unit tests of mmlearn; the
# exercise graders (reference, stub, wrong answers and attacks); every book and exercise notebook
# under nbval; a mutation sample of the fusions; then builds the book and opens every page of the
# website in headless Chromium with the network cut off, and JupyterLab on an exercise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the website test"
    (apt-get install -y -q chromium >/dev/null 2>&1 ||
     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) ||
        echo "could not install chromium: the website test will be skipped"
fi
bash scripts/install_sandbox.sh
export OMP_NUM_THREADS=1 MPLBACKEND=Agg
.venv/bin/ruff check mmlearn tests benchmarks scripts
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env -p no:cacheprovider -m "not browser" "$@"
# a small mutation sample of mmlearn/fusion (the full score: scripts/mutation_check.py --n 30)
.venv/bin/python scripts/mutation_check.py --n 6 --threshold 0.8
bash scripts/build_book.sh
.venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_website.py tests/test_lab.py tests/test_static_explorers.py
