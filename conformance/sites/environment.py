"""A site environment: an interpreter with Django installed, and how a command starts in it.

The reference servers (targets/reference.py) are started only through one, never with the
runner's `sys.executable` directly, so the site's Django is a property of the environment the run
chose, not of whatever the runner happens to have installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class SiteEnvironmentError(Exception):
    """The environment cannot run the site; the message is one line naming the fix."""


@dataclass(frozen=True)
class SiteEnvironment:
    name: str  # shown in the header and the report, e.g. "runner venv"
    python: str  # the interpreter, as the command sees it
    django: str  # the Django version installed there
    prefix: tuple[str, ...] = ()  # what the command is started through (e.g. a chroot)
    base_env: dict | None = field(default=None, repr=False)  # None: inherit the runner's environment

    def command(self, *args: str) -> list[str]:
        """argv for `python args...` in this environment, run with the clone as working directory."""
        return [*self.prefix, self.python, *args]

    def environ(self, extra: dict) -> dict:
        """The process environment: the environment's own base, the site's channels, and the
        clone on the import path (the reference site and the probe are imported from it)."""
        base = dict(os.environ if self.base_env is None else self.base_env)
        path = os.pathsep.join(p for p in (str(REPO_ROOT), base.get("PYTHONPATH", "")) if p)
        return {**base, "PYTHONPATH": path, **extra}

    def describe(self) -> dict:
        return {"name": self.name, "python": self.python, "django": self.django}


def runner() -> SiteEnvironment:
    """The runner's own virtualenv (the default: Django as requirements.txt pins it)."""
    try:
        django = importlib.metadata.version("Django")
    except importlib.metadata.PackageNotFoundError:
        raise SiteEnvironmentError("Django is not installed in the runner's environment: run `make deps`") from None
    return SiteEnvironment("runner venv", sys.executable, django)
