"""Serve the reference site: ``python -m target_site.serve [--host H] [--port P] [--asgi]``.

Binds first (port 0 lets the OS pick a free port, so there is no
pick-then-bind race), then prints exactly one ``LISTENING http://H:P/`` line to
stdout. Never migrates: the caller prepares the database. Django's threaded WSGI
server by default; with ``--asgi``, uvicorn (as sites with async views run).
"""

import argparse
import os
import sys
from pathlib import Path


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m target_site.serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--asgi", action="store_true", help="serve target_site.asgi with uvicorn")
    return parser.parse_args(argv)


def _serve_asgi(host, port, ipv6):
    import socket

    import uvicorn

    from target_site.asgi import application

    sock = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"target_site.serve: cannot bind {host}:{port}: {exc}", file=sys.stderr)
        return 2
    shown = f"[{host}]" if ipv6 else host
    print(f"LISTENING http://{shown}:{sock.getsockname()[1]}/", flush=True)
    # lifespan off: Django's ASGI handler has no lifespan events; uvicorn's access log off as the
    # WSGI server's stays on stderr only.
    config = uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def main(argv=None):
    args = _parse_args(argv)
    repo_root = str(Path(__file__).resolve().parent.parent)
    if repo_root not in sys.path:
        sys.path.insert(0, repo_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "target_site.settings")

    host = args.host.strip("[]")
    ipv6 = ":" in host
    if args.asgi:
        return _serve_asgi(host, args.port, ipv6)

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    from target_site.wsgi import application

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
