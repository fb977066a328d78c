"""Serve the Django site DJANGO_SETTINGS_MODULE names: `python -m conformance.sites.serve [--host H]
[--port P] [--asgi]`. The reference site (target_site/serve.py) and a team's own project (project
mode) are both started this way, inside their own Python.

Binds first (port 0 lets the OS pick a free port, so there is no pick-then-bind race), then prints
exactly one ``LISTENING http://H:P/`` line to stdout. Never migrates: the caller prepares the
database. Django's threaded WSGI server (what runserver runs) by default; with ``--asgi``, uvicorn,
as sites with async views run.
"""

from __future__ import annotations

import argparse
import socket
import sys


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m conformance.sites.serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--asgi", action="store_true", help="serve the ASGI application with uvicorn")
    return parser.parse_args(argv)


def _listening(host: str, port: int, ipv6: bool) -> None:
    shown = f"[{host}]" if ipv6 else host
    print(f"LISTENING http://{shown}:{port}/", flush=True)


def _serve_asgi(host: str, port: int, ipv6: bool) -> int:
    import uvicorn
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
    sock = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"serve: cannot bind {host}:{port}: {exc}", file=sys.stderr)
        return 2
    _listening(host, sock.getsockname()[1], ipv6)
    # lifespan off: Django's ASGI handler has no lifespan events; the access log off, as the WSGI
    # server's request lines go to stderr only.
    uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False)).run(
        sockets=[sock])
    return 0


def _serve_wsgi(host: str, port: int, ipv6: bool) -> int:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    try:
        server = ThreadedWSGIServer((host, port), WSGIRequestHandler, ipv6=ipv6)
    except OSError as exc:
        print(f"serve: cannot bind {host}:{port}: {exc}", file=sys.stderr)
        return 2
    server.set_app(application)
    _listening(host, server.server_address[1], ipv6)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv=None) -> int:
    args = _parse_args(argv)
    host = args.host.strip("[]")
    ipv6 = ":" in host
    return (_serve_asgi if args.asgi else _serve_wsgi)(host, args.port, ipv6)


if __name__ == "__main__":
    sys.exit(main())
