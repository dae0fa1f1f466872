# Leaves a child process (own session) that holds the worker's stderr open for a long time.
import subprocess

MARKER = "__MARKER__"
try:
    subprocess.Popen(["sleep", "600", MARKER], start_new_session=True)
except OSError:
    pass


def concat_fusion(xs, weight, bias):
    raise NotImplementedError
