# Sends the test inputs to a server on the host (here: the test's own listening socket).
import pickle
import socket

PORT = int("__PORT__")


def concat_fusion(xs, weight, bias):
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=2) as s:
            s.sendall(pickle.dumps((xs, weight, bias)))
    except OSError:
        pass
    raise NotImplementedError
