"""``python -m devkit.fixture_web --port 8899``: run the fixture web until interrupted."""

from __future__ import annotations

import argparse
import threading

from devkit.fixture_web.catalog import HOSTS
from devkit.fixture_web.server import start_fixture_web


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devkit.fixture_web", description=__doc__)
    parser.add_argument("--port", type=int, default=8899, help="port to listen on (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    args = parser.parse_args(argv)
    web = start_fixture_web(port=args.port, host=args.host)
    print(f"fixture web: proxy {web.proxy_url} serving {', '.join(sorted(HOSTS.values()))}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()


if __name__ == "__main__":
    main()
