#!/usr/bin/env bash
# Runs every test: ruff, the unit tests of mmlearn, the exercise graders (reference, stub and
# wrong answers), and every book and exercise notebook under nbval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check mmlearn tests benchmarks
.venv/bin/python -m pytest -n 2 --nbval-lax --nbval-current-env -p no:cacheprovider "$@"
