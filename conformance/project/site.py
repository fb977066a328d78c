"""A team's own Django project, started by the suite (project mode): found, inspected (its
SESSION_* settings, from which its profiles are named, as a deployment's are), given test databases
made the way Django's test runner makes them, served on loopback with the probe added around it
(wrap.py), judged in probe mode, and cleaned up.

    conformance run --project DIR [--settings MODULE] [--serve "gunicorn shop.wsgi -b {host}:{port}"]

Everything that runs the project's code runs in a child process, in the project's own Python (or
in a site environment made for another Django: project/environment.py), never in the runner.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..sites.environment import SiteEnvironment, code_root
from ..targets.process import ServerError, SiteProcess, spawn
from . import wrap
from .child import ANSWER, TEST_DATABASES

SETUP_TIMEOUT_S = 600.0  # migrating a big project's test database
# Not passed on to the project's processes: the suite's own (its virtualenv), and what a Debian root
# must set for itself.
PRIVATE = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP", "PATH", "HOME", "PWD", "SHELL", "DJANGO_SETTINGS_MODULE",
           "CONFORMANCE_PROBE_TOKEN", "CONFORMANCE_TEST_DATABASES", "CONFORMANCE_ANSWER")
SETTINGS_IN_MANAGE_PY = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")


class ProjectError(Exception):
    """The project cannot be judged as given; the message is one line naming the cause."""


@dataclass(frozen=True)
class Project:
    folder: Path
    settings: str  # their settings module
    serve: str | None = None  # a server command with {host} and {port}; None: Django's own
    requirements: Path | None = None  # what another Django's environment installs beside it
    # The environment the suite was run with, passed on to the project's own processes (its
    # DATABASE_URL, its PYTHONPATH): read once, where the run's settings are resolved.
    environ: tuple = ()

    @classmethod
    def locate(cls, folder: Path, settings: str | None, serve: str | None = None,
               requirements: Path | None = None, environ: dict | None = None) -> "Project":
        """The project at `folder`; its settings module as given, else the one its manage.py sets."""
        if not folder.is_dir():
            raise ProjectError(f"--project {folder}: no such folder")
        if not settings:
            manage = folder / "manage.py"
            found = SETTINGS_IN_MANAGE_PY.search(manage.read_text()) if manage.exists() else None
            if found is None:
                raise ProjectError(f"--project {folder}: give its settings module with --settings MODULE "
                                   "(no manage.py there names one)")
            settings = found[1]
        if serve is not None and ("{host}" not in serve or "{port}" not in serve):
            raise ProjectError(f"--serve {serve!r}: the command must say where to listen with {{host}} and {{port}}, "
                               "e.g. \"gunicorn shop.wsgi -b {host}:{port}\"")
        if requirements is not None and not requirements.is_file():
            raise ProjectError(f"--requirements {requirements}: no such file")
        if requirements is None and (folder / "requirements.txt").exists():
            requirements = folder / "requirements.txt"
        return cls(folder.resolve(), settings, serve, requirements, tuple(sorted((environ or {}).items())))

    @property
    def label(self) -> str:
        return f"{self.folder} ({self.settings})"


class Workspace:
    """The project in one site environment, for one run: the generated modules, the child
    processes' environment, and what they answer."""

    def __init__(self, project: Project, environment: SiteEnvironment, folder: Path, token: str, host: str):
        self.project, self.environment, self.host, self.token = project, environment, host, token
        self.folder = wrap.write(folder, project.settings)
        # The environment the project's own processes get beside the suite's (its DATABASE_URL, its
        # PYTHONPATH): what the user ran the suite with.
        self.passed = {k: v for k, v in project.environ if k not in PRIVATE}
        self.run = f"{token[:8]}_{host.rsplit('.', 1)[-1]}"  # this run, this environment: its test databases' suffix
        self.test_databases: dict = {}
        self.originals: dict = {}

    def env(self, **extra) -> dict:
        theirs = self.passed.get("PYTHONPATH", "")
        path = os.pathsep.join(p for p in (str(self.folder), str(self.project.folder), theirs, str(code_root())) if p)
        return {**self.passed, "PYTHONPATH": path, "DJANGO_SETTINGS_MODULE": wrap.SETTINGS,
                wrap.THEIRS: self.project.settings, "CONFORMANCE_PROBE_TOKEN": self.token,
                "CONFORMANCE_HOSTS": self.host, "CONFORMANCE_RUN": self.run,
                **({TEST_DATABASES: json.dumps(self.test_databases)} if self.test_databases else {}), **extra}

    def popen_args(self, args: list[str], **extra) -> tuple[list[str], dict]:
        return self.environment.popen(args, self.env(**extra), binds=(self.folder, self.project.folder))

    def ask(self, action: str, **extra) -> dict:
        """One child action (child.py), its JSON answer; a failure is a ProjectError (one line)."""
        answer_file = self.folder / f"answer-{action}.json"
        answer_file.unlink(missing_ok=True)
        argv, env = self.popen_args(["-m", "conformance.project.child", action], **{ANSWER: str(answer_file), **extra})
        done = subprocess.run(argv, cwd=self.project.folder, env=env, capture_output=True, text=True,
                              timeout=SETUP_TIMEOUT_S)
        try:
            answer = json.loads(answer_file.read_text())
        except (OSError, ValueError):
            answer = {}
        if "error" in answer:
            raise ProjectError(answer["error"])
        if done.returncode != 0 or not answer:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise ProjectError(f"the project ({self.project.label}, {self.environment.label()}) failed to {action}: "
                               f"{tail or f'exit {done.returncode}'}")
        return answer

    def inspect(self) -> dict:
        """{"django": ..., "settings": {SESSION_*}}: what the probe's settings/ will say."""
        return self.ask("inspect")

    def create_databases(self) -> None:
        """Django's test databases for the project (each name this run's own, see wrap.py), their
        names known first: an interrupted create is dropped as a finished one is."""
        answer = self.ask("names")
        self.test_databases, self.originals = answer["test_databases"], answer["originals"]
        answer = self.ask("create")
        self.test_databases, self.originals = answer["test_databases"], answer["originals"]

    def destroy_databases(self) -> None:
        """Drop the test databases (also after an interrupted create(): their names are this run's
        own, never a database anyone else uses)."""
        if self.test_databases:
            self.ask("destroy", CONFORMANCE_ORIGINAL_DATABASES=json.dumps(self.originals))
        self.test_databases = {}

    def serve(self, log_path: Path) -> SiteProcess:
        """Start the project's server on this workspace's host (after create_databases()): Django's
        threaded WSGI server, or the user's command, run as `python -m <its first word> ...` in the
        project's Python (gunicorn, uvicorn, hypercorn and daphne all run so)."""
        if self.project.serve is None:
            args, base_url = ["-m", "conformance.sites.serve", "--host", self.host, "--port", "0"], None
        else:
            port = _free_port(self.host)
            base_url = f"http://{self.host}:{port}/"
            args = ["-m", *shlex.split(self.project.serve.replace("{host}", self.host).replace("{port}", str(port)))]
        argv, env = self.popen_args(args)
        return SiteProcess(f"the project's server ({self.project.label}, {self.environment.label()})",
                           spawn(argv, self.project.folder, env, log_path), log_path, self.token, base_url)


def _free_port(host: str) -> int:
    """A port free on `host` now (a server the user names binds it itself: the one place a port is
    chosen before it is bound)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


__all__ = ["Project", "ProjectError", "ServerError", "Workspace"]


def discover(project: Project, environment: SiteEnvironment, token: str, host: str = "127.0.0.10"):
    """The project as probe mode knows a deployment (targets.deployment.Deployment): its Django and
    SESSION_* settings as its own Python loads them, and the profiles named from them. The base
    URL is the project's label until a server is started (start())."""
    import tempfile

    from ..targets.deployment import Deployment, profiles_for

    with tempfile.TemporaryDirectory(prefix="conformance-project-") as folder:
        info = Workspace(project, environment, Path(folder), token, host).inspect()
    domain = info["settings"].get("SESSION_COOKIE_DOMAIN")
    if domain:
        raise ProjectError(f"the project's SESSION_COOKIE_DOMAIN is {domain!r}: browsers refuse such a cookie from the "
                           "loopback address the suite serves it on; judge it with a settings module that sets "
                           "SESSION_COOKIE_DOMAIN = None (--settings), or deployed under its domain (--base-url)")
    return Deployment(f"project:{project.label}", token, info["settings"], info["django"],
                      profiles_for(info["settings"]))
