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
from ..targets.process import ServerError, SiteProcess
from . import wrap
from .child import TEST_DATABASES

SETUP_TIMEOUT_S = 600.0  # migrating a big project's test database
SETTINGS_IN_MANAGE_PY = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")


class ProjectError(Exception):
    """The project cannot be judged as given; the message is one line naming the cause."""


@dataclass(frozen=True)
class Project:
    folder: Path
    settings: str  # their settings module
    serve: str | None = None  # a server command with {host} and {port}; None: Django's own
    requirements: Path | None = None  # what another Django's environment installs beside it

    @classmethod
    def locate(cls, folder: Path, settings: str | None, serve: str | None = None,
               requirements: Path | None = None) -> "Project":
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
        if requirements is None and (folder / "requirements.txt").exists():
            requirements = folder / "requirements.txt"
        return cls(folder.resolve(), settings, serve, requirements)

    @property
    def label(self) -> str:
        return f"{self.folder} ({self.settings})"


class Workspace:
    """The project in one site environment, for one run: the generated modules, the child
    processes' environment, and what they answer."""

    def __init__(self, project: Project, environment: SiteEnvironment, folder: Path, token: str, host: str):
        self.project, self.environment, self.host, self.token = project, environment, host, token
        self.folder = wrap.write(folder, project.settings)
        self.test_databases: dict = {}
        self.originals: dict = {}

    def env(self, **extra) -> dict:
        path = os.pathsep.join([str(self.folder), str(self.project.folder), str(code_root())])
        return {"PYTHONPATH": path, "DJANGO_SETTINGS_MODULE": wrap.SETTINGS, wrap.THEIRS: self.project.settings,
                "CONFORMANCE_PROBE_TOKEN": self.token, "CONFORMANCE_HOSTS": self.host,
                **({TEST_DATABASES: json.dumps(self.test_databases)} if self.test_databases else {}), **extra}

    def popen_args(self, args: list[str], **extra) -> tuple[list[str], dict]:
        return self.environment.popen(args, self.env(**extra), binds=(self.folder, self.project.folder))

    def ask(self, action: str, **extra) -> dict:
        """One child action (child.py), its JSON answer; a failure is a ProjectError (one line)."""
        argv, env = self.popen_args(["-m", "conformance.project.child", action], **extra)
        done = subprocess.run(argv, cwd=self.project.folder, env=env, capture_output=True, text=True,
                              timeout=SETUP_TIMEOUT_S)
        lines = done.stdout.strip().splitlines()
        try:
            answer = json.loads(lines[-1]) if lines else {}
        except ValueError:
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
        answer = self.ask("create")
        self.test_databases, self.originals = answer["test_databases"], answer["originals"]

    def destroy_databases(self) -> None:
        if not self.test_databases:
            return
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
            args = ["-m", *shlex.split(self.project.serve.format(host=self.host, port=port))]
        argv, env = self.popen_args(args)
        log = open(log_path, "wb")
        process = subprocess.Popen(argv, cwd=self.project.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        log.close()
        return SiteProcess(f"the project's server ({self.project.label}, {self.environment.label()})", process,
                           log_path, self.token, base_url)


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
    return Deployment(f"project:{project.label}", token, info["settings"], info["django"],
                      profiles_for(info["settings"]))
