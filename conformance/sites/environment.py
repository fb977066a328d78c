"""A site environment: an interpreter with Django installed, and how a process starts in it.

The reference servers (targets/reference.py) are started only through one, never with the
runner's `sys.executable` directly, so the site's Django is a property of the environment the run
chose, not of whatever the runner happens to have installed. Three kinds: the runner's own
virtualenv (the default), a virtualenv of the clone's `.sites/` made with a Python on this
machine, and one made inside a Debian root (sites/root.py) when Django needs a newer Python than
the machine has.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# What a host process of the site inherits from the runner: nothing of pip's or the runner's
# virtualenv (a site environment is its own), the rest as it is.
DROPPED = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")


class SiteEnvironmentError(Exception):
    """The environment cannot run the site; the message is one line naming the fix."""


@dataclass(frozen=True)
class SiteEnvironment:
    name: str  # e.g. "runner venv", "django-6.1"
    python: str  # the interpreter, as the process sees it
    django: str  # the Django version installed there
    python_version: str = ""  # e.g. "3.13"
    root: object = None  # sites.root.DebianRoot when the site runs inside one
    spec: str = ""  # what was asked for ("6.1", "5.2.8"; "" for the runner's default)

    def popen(self, args: list[str], env: dict, binds: tuple[Path, ...] = ()) -> tuple[list[str], dict]:
        """argv and process environment for `python args...` in this environment, with `env` (the
        site's channels) set. `binds` are folders the process must see at the same path (the run's
        work folder): the clone always is. Run with the clone as working directory."""
        site_env = {"PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1", **env}
        if self.root is not None:
            return self.root.command([self.python, *args], site_env, (REPO_ROOT, *binds)), {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        base = {k: v for k, v in os.environ.items() if k not in DROPPED}
        return [self.python, *args], {**base, **site_env}

    def describe(self) -> dict:
        where = f"Debian root {self.root.name}" if self.root is not None else "this machine"
        return {"name": self.name, "django": self.django, "python": self.python_version, "runs_in": where,
                "spec": self.spec or "default"}

    def label(self) -> str:
        where = f", {self.root.name} root" if self.root is not None else ""
        return f"Django {self.django} ({self.name}, Python {self.python_version}{where})"


def runner() -> SiteEnvironment:
    """The runner's own virtualenv: the default (Django as the runner's lock pins it)."""
    try:
        django = importlib.metadata.version("Django")
    except importlib.metadata.PackageNotFoundError:
        raise SiteEnvironmentError("Django is not installed in the runner's environment: run `make deps`") from None
    return SiteEnvironment("runner venv", sys.executable, django, f"{sys.version_info[0]}.{sys.version_info[1]}")


@dataclass(frozen=True)
class Stamp:
    """What a prepared environment holds, written last when it is complete."""

    spec: str
    django: str
    python: str
    python_version: str
    lock_sha256: str
    root: str = ""
    extra: dict = field(default_factory=dict)
