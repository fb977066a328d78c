"""A deployment the suite did not start: target_site served by a real server, over TLS.

``Deployment`` runs the reference site's code with the production-shaped settings
module ``conformance.tests.apparatus.deployment.settings``, served by one of the servers of
apparatus/servers.py (gunicorn by default; uvicorn, hypercorn, daphne, runserver, or uvicorn
behind nginx), with a throwaway self-signed certificate and a fresh SQLite database holding one
user, all in a temporary directory removed on exit::

    with Deployment(token="s3cret", server="uvicorn") as dep:
        dep.base_url   # "https://127.0.0.1:PORT/" (runserver: http://)
        dep.certfile   # the self-signed certificate (trust it, or don't verify)
        dep.ssl_context()  # an ssl.SSLContext trusting exactly that certificate

``token=None`` leaves the conformance probe uninstalled (its URLs 404).
"""

import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .nginx import ReverseProxy
from .servers import SERVERS, Endpoint

REPO_ROOT = Path(__file__).resolve().parents[3]
SETTINGS_MODULE = "conformance.tests.apparatus.deployment.settings"

# Env the deployment must not inherit from whoever runs the tests.
_SCRUBBED = (
    "DJANGO_SETTINGS_MODULE",
    "CONFORMANCE_PROBE_TOKEN",
    "TARGET_SITE_DB",
    "TARGET_SITE_SESSION",
    "DEPLOY_SESSION_COOKIE_AGE",
    "DEPLOY_SAVE_EVERY_REQUEST",
    "DEPLOY_VARIANT",
    "DEPLOY_ABSOLUTE_TIMEOUT",
    "DEPLOY_IDLE_TIMEOUT",
    "DEPLOY_TIMEOUT_COUNTS_FROM",
    "DEPLOY_LOGIN",
    "DEPLOY_LOGOUT_MENU",
    "DEPLOY_CACHE_DIR",
    "DEPLOY_USERNAME",
    "DEPLOY_PASSWORD",
    "DEPLOY_BEHIND_PROXY",
    "DEPLOY_LOGIN_RATE",
    "DEPLOY_LOCKOUT_AFTER",
)

_CREATE_USER = """
import os, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
User = get_user_model()
user, _ = User.objects.get_or_create(username=os.environ["DEPLOY_USERNAME"])
user.is_staff = user.is_superuser = True  # the admin's login is the README's black-box example
user.set_password(os.environ["DEPLOY_PASSWORD"])
user.save()
"""


class DeploymentError(RuntimeError):
    pass


def _free_port(host):
    # gunicorn cannot report a port the OS chose, so pick one and hand it over;
    # a lost race shows up as a bind failure, which start() retries.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make_self_signed_cert(directory, host="127.0.0.1"):
    """Write cert.pem/key.pem for 127.0.0.1, ::1, localhost (and host) into directory."""
    directory = Path(directory)
    cert, key = directory / "cert.pem", directory / "key.pem"
    sans = ["IP:127.0.0.1", "IP:::1", "DNS:localhost"]
    extra = f"IP:{host}" if _is_ip(host) else f"DNS:{host}"
    if extra not in sans:
        sans.append(extra)
    cmd = [
        shutil.which("openssl") or "/usr/bin/openssl",
        "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=" + ",".join(sans),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise DeploymentError(f"openssl failed ({done.returncode}): {done.stderr.strip()}")
    return cert, key


def _is_ip(host):
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        return True
    except OSError:
        return False


class Deployment:
    """Context manager: target_site + deployment_settings served by a real server (over TLS).

    Parameters (all keyword-friendly):
      server: a name from apparatus/servers.py (default "gunicorn").
      token: probe token; None (default) leaves conformance.probe uninstalled.
      username, password: the one user created in the fresh database
        (password defaults to a random one; read it back from ``.password``).
      host: loopback address to bind ("127.0.0.1"; "::1" works too).
      session_cookie_age: DEPLOY_SESSION_COOKIE_AGE (None: the settings default).
      save_every_request: DEPLOY_SAVE_EVERY_REQUEST (bool).
      login: DEPLOY_LOGIN: "plain" (default) or "remember" (an unticked "Remember me" box; unticked
        gives a browser-length session).
      logout_menu: DEPLOY_LOGOUT_MENU (bool): the account page's only logout is a POST button in
        a hidden menu opened by a toggle, instead of a GET link and a visible POST form.
      idle_timeout, absolute_timeout: DEPLOY_IDLE_TIMEOUT / DEPLOY_ABSOLUTE_TIMEOUT, seconds
        (None: none), enforced by middleware (deployment/timeouts.py).
      timeouts_from: DEPLOY_TIMEOUT_COUNTS_FROM: "session" (default: the absolute timeout counts
        from this session's sign-in) or "last_login" (from the account's latest sign-in anywhere,
        django-auto-logout's bug).
      workers, threads: gunicorn process/thread counts (gthread worker when threads > 1). A
        browser opens connections before it needs them, and an idle TLS connection holds a gthread
        thread during its handshake: with 4 threads, two browsers' pooled contexts stalled
        sign-ins for 30 s (measured), so 16.
      login_rate: DEPLOY_LOGIN_RATE: django-ratelimit on the login form's POST per address
        (e.g. "5/10s"; None: no limit); refused sign-ins get HTTP 403.
      lockout_after: DEPLOY_LOCKOUT_AFTER: django-axes locks the account out after this many failed
        sign-ins (None: no lockout); a locked-out sign-in gets HTTP 429.
      env: extra environment for the site (e.g. TARGET_SITE_SECRET_KEY).
      start_timeout: seconds to wait for the login page to answer.
    """

    def __init__(
        self,
        token=None,
        *,
        server="gunicorn",
        username="alice",
        password=None,
        host="127.0.0.1",
        session_cookie_age=None,
        save_every_request=False,
        login="plain",
        logout_menu=False,
        idle_timeout=None,
        absolute_timeout=None,
        timeouts_from="session",
        workers=2,
        threads=16,
        login_rate=None,
        lockout_after=None,
        env=None,
        start_timeout=20.0,
    ):
        if server not in SERVERS:
            raise ValueError(f"server must be one of {', '.join(SERVERS)}, got {server!r}")
        self.server = SERVERS[server]
        self.login_rate, self.lockout_after = login_rate, lockout_after
        self._proxy = None
        self.token = token or None
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.host = host.strip("[]")
        self.session_cookie_age = session_cookie_age
        self.save_every_request = bool(save_every_request)
        # Checked here too, so a typo fails at once rather than as a site that never answers.
        if login not in ("plain", "remember"):
            raise ValueError(f"login must be 'plain' or 'remember', got {login!r}")
        if timeouts_from not in ("session", "last_login"):
            raise ValueError(f"timeouts_from must be 'session' or 'last_login', got {timeouts_from!r}")
        self.login = login
        self.logout_menu = bool(logout_menu)
        self.idle_timeout = idle_timeout
        self.absolute_timeout = absolute_timeout
        self.timeouts_from = timeouts_from
        self.workers = workers
        self.threads = threads
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.port = None
        self.base_url = None
        self.tmpdir = None
        self.certfile = self.keyfile = self.db_path = self.log_path = None
        self.startup_seconds = None
        self._proc = None
        self._log = None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def start(self):
        began = time.monotonic()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="target-deploy-"))
        try:
            self.certfile, self.keyfile = make_self_signed_cert(self.tmpdir, self.host)
            self.db_path = self.tmpdir / "db.sqlite3"
            self.log_path = self.tmpdir / "gunicorn.log"
            self._prepare_database()
            for attempt in range(3):
                self.port = _free_port(self.host)
                shown = f"[{self.host}]" if ":" in self.host else self.host
                self.base_url = f"{'https' if self.server.tls else 'http'}://{shown}:{self.port}/"
                self._spawn()
                if self._wait_listening(retry_on_bind_failure=attempt < 2):
                    break
            if self.server.behind:  # TLS at nginx, the site behind it on plain HTTP
                self._proxy = ReverseProxy(self.base_url, self.certfile, self.keyfile).__enter__()
                self.base_url = self._proxy.base_url
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self):
        if self._proxy is not None:
            self._proxy.__exit__(None, None, None)
            self._proxy = None
        self._kill()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    # -- helpers for tests -------------------------------------------------

    def url(self, path=""):
        return self.base_url + path.lstrip("/")

    def ssl_context(self):
        """A client context that trusts exactly this deployment's certificate."""
        return ssl.create_default_context(cafile=str(self.certfile))

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    # -- internals ---------------------------------------------------------

    def _env(self):
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            TARGET_SITE_DB=str(self.db_path),
            DEPLOY_CACHE_DIR=str(self.tmpdir / "cache"),
            DEPLOY_SAVE_EVERY_REQUEST="1" if self.save_every_request else "0",
            DEPLOY_LOGIN=self.login,
            DEPLOY_LOGOUT_MENU="1" if self.logout_menu else "0",
            DEPLOY_TIMEOUT_COUNTS_FROM=self.timeouts_from,
            PYTHONPATH=os.pathsep.join(
                p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        )
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            env["TARGET_SITE_ALLOWED_HOSTS"] = self.host
        if self.session_cookie_age is not None:
            env["DEPLOY_SESSION_COOKIE_AGE"] = str(int(self.session_cookie_age))
        if self.idle_timeout is not None:
            env["DEPLOY_IDLE_TIMEOUT"] = str(int(self.idle_timeout))
        if self.absolute_timeout is not None:
            env["DEPLOY_ABSOLUTE_TIMEOUT"] = str(int(self.absolute_timeout))
        if self.token:
            env["CONFORMANCE_PROBE_TOKEN"] = self.token
        if self.server.behind:
            env["DEPLOY_BEHIND_PROXY"] = "1"
        if self.login_rate:
            env["DEPLOY_LOGIN_RATE"] = self.login_rate
        if self.lockout_after:
            env["DEPLOY_LOCKOUT_AFTER"] = str(int(self.lockout_after))
        env.update(self.extra_env)
        return env

    def _prepare_database(self):
        env = self._env()
        env.update(DEPLOY_USERNAME=self.username, DEPLOY_PASSWORD=self.password)
        done = subprocess.run(
            [sys.executable, "-c", _CREATE_USER],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise DeploymentError(
                f"migrate/create user failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )

    def _spawn(self):
        if self._log is not None:
            self._log.close()
        self._log = open(self.log_path, "wb")  # one attempt per log
        tls = self.server.tls
        cmd = self.server.command(Endpoint(
            self.host, self.port, str(self.certfile) if tls else None, str(self.keyfile) if tls else None,
            self.workers, self.threads, str(self.tmpdir), str(REPO_ROOT)))
        self._proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env={**self._env(), "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def _kill(self, force=False):
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill() if force else proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def _wait_listening(self, retry_on_bind_failure):
        """True once the server's log says it listens; False if the bind was lost (retry). Only
        then is the site polled: before that, whatever else is listening there (a lost port race)
        would answer instead."""
        deadline = time.monotonic() + self.start_timeout
        name = self.server.name
        while time.monotonic() < deadline:
            code = self._proc.poll()
            log = self.log()
            if code is not None:
                self._proc = None
                if retry_on_bind_failure and "in use" in log:
                    return False
                raise DeploymentError(f"{name} exited with {code} before serving:\n{log}")
            if "in use" in log and retry_on_bind_failure:
                # gunicorn would retry the taken port for ~5 s, deaf to SIGTERM; it has no workers
                # yet, so SIGKILL leaves nothing behind.
                self._kill(force=True)
                return False
            if self.server.listening in log:
                return True
            time.sleep(0.05)
        raise DeploymentError(f"{name} did not listen within {self.start_timeout} s:\n{self.log()}")

    def _wait_ready(self):
        """Until the login page answers 200 (through the proxy, when there is one)."""
        context = ssl._create_unverified_context()
        deadline = time.monotonic() + self.start_timeout
        url = self.url("accounts/login/")
        last = None
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                raise DeploymentError(f"{self.server.name} exited before serving:\n{self.log()}")
            try:
                with urllib.request.urlopen(url, context=context, timeout=2) as resp:
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code >= 400 and exc.code not in (502, 503):
                    raise DeploymentError(f"{url} answered {exc.code}:\n{self.log()}") from exc
            except (OSError, ssl.SSLError) as exc:
                last = repr(exc)
            time.sleep(0.05)
        raise DeploymentError(
            f"{url} did not answer within {self.start_timeout} s (last: {last}):\n{self.log()}"
        )
