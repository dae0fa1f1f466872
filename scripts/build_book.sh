#!/usr/bin/env bash
# Builds the website under _build/html, executing every notebook; warnings and notebook
# errors fail the build. The site needs no network (MathJax is served from the site itself).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The glossary's Chinese terms need a CJK font: the build ships a subset of one with the site
# (book/_ext/mmbook.py), taken from a Debian font installed here when none is present.
if ! fc-list :lang=zh-cn family 2>/dev/null | grep -q .; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing Debian's fonts-wqy-microhei (a CJK font for the glossary)"
        (apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 ||
         (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1)) ||
            echo "could not install a CJK font: the build will warn and fail" >&2
    else
        echo "no CJK font: install fonts-wqy-microhei or fonts-noto-cjk (the build warns and fails)" >&2
    fi
fi
# Kernels draw figures with the inline backend; with MPLBACKEND=Agg inherited (scripts/test.sh
# sets it for the unit tests) every glued figure would be the text "<Figure size ...>".
unset MPLBACKEND
rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/jupyter_execute
.venv/bin/jupyter-book build . -W --keep-going "$@"
echo "Book built: $(pwd)/_build/html/index.html"
