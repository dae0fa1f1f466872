#!/usr/bin/env bash
# Installs Debian's bubblewrap, the grader's file-system and namespace sandbox (mmlearn-grade).
# Idempotent and quiet; without root or apt-get it only warns: the grader then falls back to
# weaker layers and says so loudly.
set -uo pipefail
if command -v bwrap >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's bubblewrap for the grader's sandbox"
    if apt-get install -y -q bubblewrap >/dev/null 2>&1 ||
        (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap >/dev/null 2>&1); then
        exit 0
    fi
fi
echo "WARNING: could not install bubblewrap: the grader's red-team tests that need it are skipped" >&2
exit 0
