"""Serve the reference site: ``python -m target_site.serve [--host H] [--port P]``.

Binds first (port 0 lets the OS pick a free port, so there is no
pick-then-bind race), then prints exactly one ``LISTENING http://H:P/`` line to
stdout. Never migrates: the caller prepares the database.
"""

import argparse
import os
import sys
from pathlib import Path


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m target_site.serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse_args(argv)
    repo_root = str(Path(__file__).resolve().parent.parent)
    if repo_root not in sys.path:
        sys.path.insert(0, repo_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "target_site.settings")

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    from target_site.wsgi import application

    host = args.host.strip("[]")
    ipv6 = ":" in host
    try:
        server = ThreadedWSGIServer((host, args.port), WSGIRequestHandler, ipv6=ipv6)
    except OSError as exc:
        print(f"target_site.serve: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    server.set_app(application)
    port = server.server_address[1]
    shown = f"[{host}]" if ipv6 else host
    print(f"LISTENING http://{shown}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
