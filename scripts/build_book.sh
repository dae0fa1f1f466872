#!/usr/bin/env bash
# Builds the website under _build/html and the whole book as a PDF (_build/latex/book.pdf, also
# offered on the site as mmfusion.pdf). Every notebook is executed once, two at a time
# (scripts/execute_book.py, which fails on a cell error or a notebook over 90 s), into the
# jupyter-cache that both builds read: neither build executes a notebook again. Warnings fail
# the build. The site needs no network (MathJax is served from the site itself).
#   MMBOOK_EXECUTED=1  the notebooks were just executed (scripts/test.sh does it as its own stage)
#   MMBOOK_PDF=0       no PDF (for a quick look at the website)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
apt_install() {  # apt_install WHY PACKAGE...: install Debian packages when root, else say what to do
    local why=$1
    shift
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing Debian's $* ($why)"
        apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 ||
            (apt-get update -q >/dev/null 2>&1 &&
             apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1) ||
            echo "could not install $*" >&2
    else
        echo "missing: apt-get install $* ($why)" >&2
    fi
}
# The glossary's Chinese terms need a CJK font: the build ships a subset of one with the site
# (book/_ext/mmbook.py), taken from a Debian font installed here when none is present; the PDF
# uses the same font through xeCJK.
if ! fc-list :lang=zh-cn family 2>/dev/null | grep -q .; then
    apt_install "a CJK font for the glossary" fonts-wqy-microhei
fi
pdf=${MMBOOK_PDF:-1}
LATEX_PACKAGES=(texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
                texlive-lang-chinese latexmk fonts-freefont-otf fonts-wqy-microhei fonts-dejavu-core lmodern
                tex-gyre poppler-utils)
if [ "$pdf" = 1 ] && ! { command -v xelatex && command -v latexmk && kpsewhich xeCJK.sty &&
                         kpsewhich polyglossia.sty && command -v pdfinfo &&
                         fc-list | grep FreeSerif && fc-list | grep 'DejaVu Sans Mono'; } >/dev/null 2>&1; then
    apt_install "LaTeX for the book's PDF, about 2 minutes" "${LATEX_PACKAGES[@]}"
fi
# Kernels draw figures with the inline backend; with MPLBACKEND=Agg inherited (scripts/test.sh
# sets it for the unit tests) every glued figure would be the text "<Figure size ...>".
unset MPLBACKEND
rm -rf _build/html _build/latex _build/.doctrees _build/jupyter_execute
t0=$SECONDS
if [ "${MMBOOK_EXECUTED:-0}" != 1 ]; then
    .venv/bin/python scripts/execute_book.py
    echo "book: notebooks executed in $((SECONDS - t0)) s"
fi
# The builds read the outputs from the cache; a notebook missing there would be executed by the
# build: that is an error here (the cache was just filled).
log=_build/build_html.log
t1=$SECONDS
.venv/bin/jupyter-book build . -W --keep-going "$@" 2>&1 | tee "$log"
if grep -q "Executing notebook using" "$log"; then
    echo "ERROR: the website build executed a notebook instead of reading the cache:" >&2
    grep -B2 "Executing notebook using" "$log" >&2
    exit 1
fi
echo "book: website built in $((SECONDS - t1)) s: $(pwd)/_build/html/index.html"
if [ "$pdf" = 1 ]; then
    t2=$SECONDS
    log=_build/build_latex.log
    if ! .venv/bin/jupyter-book build . --builder latex -W --keep-going >"$log" 2>&1; then
        grep -E "WARNING|ERROR|Error" "$log" >&2 || tail -40 "$log" >&2
        echo "ERROR: the LaTeX build failed (log: $log)" >&2
        exit 1
    fi
    if grep -q "Executing notebook using" "$log"; then
        echo "ERROR: the LaTeX build executed a notebook instead of reading the cache" >&2
        exit 1
    fi
    (cd _build/latex &&
     latexmk -xelatex -interaction=nonstopmode -halt-on-error -file-line-error book.tex >latexmk.log 2>&1) || {
        echo "ERROR: LaTeX could not make the PDF; the end of _build/latex/latexmk.log:" >&2
        grep -E "^!|\.tex:[0-9]+:" _build/latex/book.log >&2 || tail -40 _build/latex/latexmk.log >&2
        exit 1
    }
    cp _build/latex/book.pdf _build/html/mmfusion.pdf
    pages=$(pdfinfo _build/html/mmfusion.pdf 2>/dev/null | awk '/^Pages:/ {print $2}')
    echo "book: PDF (${pages:-?} pages) built in $((SECONDS - t2)) s: $(pwd)/_build/html/mmfusion.pdf"
fi
