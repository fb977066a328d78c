"""nginx in front of the test deployment, over TLS with the deployment's own certificate: a plain
reverse proxy terminating TLS (ReverseProxy, the usual production shape: apparatus/servers.py's
"nginx+uvicorn"), and a caching one (CachingProxy) for the cache-safety family's self-check:

* ``careless``: the speed-up guides' recipe: cache pages for anonymous visitors (bypass the cache
  for requests that carry the session cookie), ignoring Set-Cookie, Cache-Control, Expires and
  Vary. Headers from Django look right, and sessions leak anyway.
* ``careful``: nginx's defaults plus a ten-minute validity: it stores nothing that sets a cookie,
  nothing private or no-store, and keys on Vary.

    with Deployment(token=...) as site, CachingProxy(site, careless=True) as proxy:
        proxy.base_url  # https://127.0.0.1:PORT/
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """
user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=pages:10m inactive=10m use_temp_path=off;
    map $http_cookie $has_session {{ default 0; "~{cookie}=" 1; }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass https://{upstream};
            proxy_ssl_verify off;
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-Proto https;
            proxy_cache pages;
            proxy_cache_key $scheme$host$request_uri;
            proxy_cache_valid 200 10m;
            add_header X-Cache-Status $upstream_cache_status always;
{extra}
        }}
    }}
}}
"""
# TLS here, the site behind on plain HTTP, told the request was HTTPS (SECURE_PROXY_SSL_HEADER).
PLAIN = """
user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream site {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://site;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
"""
CARELESS = """
            # "Cache anonymous pages; logged-in users bypass the cache": the session cookie is
            # what tells them apart, and Set-Cookie, Cache-Control and Vary are ignored.
            proxy_ignore_headers Set-Cookie Cache-Control Expires Vary;
            proxy_cache_bypass $has_session;
            proxy_no_cache $has_session;
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Nginx:
    """One nginx process serving a config written into its own temporary folder."""

    def _start(self, config: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="nginx-"))
        self.port = _free_port()
        (self.tmp / "nginx.conf").write_text(config.format(tmp=self.tmp, port=self.port, **self._values()))
        self.process = subprocess.Popen([NGINX, "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.tmp / 'error.log').read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.base_url = f"https://127.0.0.1:{self.port}/"

    def _values(self) -> dict:
        raise NotImplementedError

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self) -> str:
        return (self.tmp / "access.log").read_text(errors="replace") if self.tmp else ""


class ReverseProxy(_Nginx):
    """TLS at nginx (with the deployment's certificate), the site at `upstream_url` on plain HTTP."""

    def __init__(self, upstream_url: str, certfile, keyfile):
        self.upstream = urllib.parse.urlsplit(upstream_url).netloc
        self.certfile, self.keyfile = certfile, keyfile
        self.tmp = self.process = self.base_url = None

    def _values(self) -> dict:
        return {"upstream": self.upstream, "cert": self.certfile, "key": self.keyfile}

    def __enter__(self) -> "ReverseProxy":
        self._start(PLAIN)
        return self


class CachingProxy(_Nginx):
    def __init__(self, upstream, careless: bool, cookie: str = "__Host-sessionid"):
        self.upstream, self.careless, self.cookie = upstream, careless, cookie
        self.tmp = self.process = self.base_url = None

    def _values(self) -> dict:
        return {"cert": self.upstream.certfile, "key": self.upstream.keyfile,
                "upstream": urllib.parse.urlsplit(self.upstream.base_url).netloc, "cookie": self.cookie,
                "extra": CARELESS if self.careless else ""}

    def __enter__(self) -> "CachingProxy":
        self._start(CONFIG)
        return self
