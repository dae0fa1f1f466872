#!/usr/bin/env bash
# Creates .venv (if missing) with everything the book and the tests need, and installs mmlearn
# in editable mode so that notebooks can `import mmlearn`. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=.venv/.mmlearn-setup
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # pip warns once per package about local index folders some machines lack: hide that noise
    exec 3>&2 2> >(grep -v "WARNING: Location 'file://" >&3)
    .venv/bin/python -m pip install -q --upgrade pip
    # torch first: on these machines 2.13.0 is a CPU build on local disk.
    .venv/bin/python -m pip install -q "torch==2.13.0" || .venv/bin/python -m pip install -q "torch>=2.1,<3"
    .venv/bin/python -m pip install -q -r requirements.txt
    .venv/bin/python -m pip install -q --no-deps -e .
    .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
    touch "$stamp"
    exec 2>&3 3>&-
fi
