#!/usr/bin/env bash
# Builds the website under _build/html, executing every notebook; warnings and notebook
# errors fail the build. The site needs no network (MathJax is served from the site itself).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf _build/html _build/.doctrees _build/.jupyter_cache
.venv/bin/jupyter-book build . -W --keep-going "$@"
echo "Book built: $(pwd)/_build/html/index.html"
