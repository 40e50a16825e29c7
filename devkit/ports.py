"""Free loopback ports for the services the tests and the demo start."""

from __future__ import annotations

import random
import socket

# Its own generator: pytest-randomly seeds the global one alike before every test, which would
# hand every test (and every run with one seed) the same sequence of candidate ports.
_PICK = random.SystemRandom()


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class _FreePort:
    """`free_port()` picks a random free port in a range; `free_port.is_free(p)` checks one."""

    is_free = staticmethod(_is_free)

    def __call__(self, low: int = 20000, high: int = 40000) -> int:
        # Random rather than bind(0): several servers pick ports before any binds them, and some
        # (SeaweedFS gRPC) derive a second port from the first, which must be free too.
        for _ in range(200):
            port = _PICK.randint(low, high)
            if _is_free(port):
                return port
        raise RuntimeError(f"no free port in {low}-{high}")


free_port = _FreePort()
