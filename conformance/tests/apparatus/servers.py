"""The real servers Django sites run on, each as the command that serves the test deployment
(apparatus/deployed.py): gunicorn (WSGI, threads), uvicorn, hypercorn (HTTP/2 over TLS) and daphne
(ASGI), Django's own runserver (plain HTTP, as developers run it), and nginx terminating TLS in
front of uvicorn. Each serves TLS itself except runserver, and uvicorn behind nginx.

A server is ready when its log says it listens (so that nothing else that took the port first
answers for it) and the login page answers."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable

PY = sys.executable


@dataclass(frozen=True)
class Endpoint:
    """Where and how one server process listens."""

    host: str
    port: int
    certfile: str | None  # None: plain HTTP
    keyfile: str | None
    workers: int
    threads: int
    tmpdir: str
    repo: str

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Server:
    name: str
    listening: str  # the log line that says it holds the port
    command: Callable[[Endpoint], list[str]]
    tls: bool = True  # serves TLS itself (else plain HTTP, or TLS by nginx in front)
    behind: str | None = None  # served behind this reverse proxy (apparatus/nginx.py)
    upstream: str | None = None  # the server behind the proxy


def _gunicorn(e: Endpoint) -> list[str]:
    return [PY, "-m", "gunicorn", "target_site.wsgi:application", "--bind", e.bind,
            *(["--certfile", e.certfile, "--keyfile", e.keyfile] if e.certfile else []),
            "--workers", str(e.workers), "--threads", str(e.threads), "--chdir", e.repo,
            "--worker-tmp-dir", e.tmpdir,
            "--no-control-socket",  # else every instance shares ~/.gunicorn/gunicorn.ctl
            "--graceful-timeout", "3", "--access-logfile", "-", "--error-logfile", "-"]


def _uvicorn(e: Endpoint) -> list[str]:
    return [PY, "-m", "uvicorn", "target_site.asgi:application", "--host", e.host, "--port", str(e.port),
            *(["--ssl-certfile", e.certfile, "--ssl-keyfile", e.keyfile] if e.certfile else []),
            "--workers", str(e.workers), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]


def _hypercorn(e: Endpoint) -> list[str]:
    return [PY, "-m", "hypercorn", "target_site.asgi:application", "--bind", e.bind,
            *(["--certfile", e.certfile, "--keyfile", e.keyfile] if e.certfile else []),
            "--workers", str(e.workers), "--access-logfile", "-", "--error-logfile", "-"]


def _daphne(e: Endpoint) -> list[str]:
    host = e.host.replace(":", r"\:")
    endpoint = (f"ssl:{e.port}:interface={host}:privateKey={e.keyfile}:certKey={e.certfile}" if e.certfile
                else f"tcp:{e.port}:interface={host}")
    return [PY, "-m", "daphne", "-e", endpoint, "target_site.asgi:application"]


def _runserver(e: Endpoint) -> list[str]:
    # Threaded (its default), without the autoreloader: one process, as `manage.py runserver` serves.
    return [PY, "-m", "django", "runserver", e.bind, "--noreload"]


SERVERS: dict[str, Server] = {s.name: s for s in (
    Server("gunicorn", "Listening at:", _gunicorn),
    Server("uvicorn", "Uvicorn running on", _uvicorn),
    Server("hypercorn", "Running on", _hypercorn),
    Server("daphne", "Listening on TCP address", _daphne),
    Server("runserver", "Starting development server at", _runserver, tls=False),
    Server("nginx+uvicorn", "Uvicorn running on", _uvicorn, tls=False, behind="nginx", upstream="uvicorn"),
)}
