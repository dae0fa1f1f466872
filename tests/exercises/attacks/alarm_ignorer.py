# Ignores SIGALRM (the worker's own cell timer), then loops forever when called.
import signal

signal.signal(signal.SIGALRM, signal.SIG_IGN)


def concat_fusion(xs, weight, bias):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass
