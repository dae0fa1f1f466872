# Ignores SIGALRM and loops forever at the top level of the cell: concat_fusion never exists.
import signal

signal.signal(signal.SIGALRM, signal.SIG_IGN)
while True:
    pass
