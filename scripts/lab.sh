#!/usr/bin/env bash
# Opens the exercise notebooks in JupyterLab (from the project's .venv, set up if needed).
# Extra arguments go to JupyterLab, e.g. `bash scripts/lab.sh --no-browser --port 8890`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
root=()
if [ "$(id -u)" = 0 ]; then root=(--allow-root); fi
exec .venv/bin/jupyter lab --ServerApp.root_dir=exercises "${root[@]}" "$@"
