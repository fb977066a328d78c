"""A site environment: an interpreter with Django installed, and how a process starts in it.

The reference servers (targets/reference.py) are started only through one, never with the
runner's `sys.executable` directly, so the site's Django is a property of the environment the run
chose, not of whatever the runner happens to have installed. Three kinds: the runner's own
virtualenv (the default), a virtualenv in sites_home() made with a Python on this machine, and one made inside a Debian root (sites/root.py) when Django needs a newer Python than
the machine has.

Where things live (the one place that decides): in a clone, the site environments are in the
clone's `.sites/` and a site process imports the clone's code; installed from a wheel, they are in
a per-user folder (`$CONFORMANCE_HOME`, default `~/.cache/django-session-conformance`), and a site
process imports a copy of the code made there (code_root()).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The folder holding the `conformance` package: a clone, or site-packages when installed.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
# What a site process imports: the probe (conformance.probe, with conformance/__init__ and
# protocol) and the reference site.
SITE_CODE = ("conformance", "target_site")
HOME_ENV = "CONFORMANCE_HOME"
# What a host process of the site inherits from the runner: nothing of pip's or the runner's
# virtualenv (a site environment is its own), the rest as it is.
DROPPED = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")


class SiteEnvironmentError(Exception):
    """The environment cannot run the site; the message is one line naming the fix."""


def clone_root() -> Path | None:
    """The clone the package runs from (its parent holds pyproject.toml and target_site/), or None
    when it is installed (from a wheel)."""
    if (PACKAGE_PARENT / "pyproject.toml").is_file() and (PACKAGE_PARENT / "target_site").is_dir():
        return PACKAGE_PARENT
    return None


def sites_home() -> Path:
    """Where site environments and the Debian root are made: $CONFORMANCE_HOME if set, else the
    clone's `.sites/`, else a per-user cache folder (an installed package's own folder is no place
    to write, and may be read-only)."""
    given = os.environ.get(HOME_ENV)
    if given:
        return Path(given).expanduser().resolve()
    clone = clone_root()
    if clone is not None:
        return clone / ".sites"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser().resolve() / "django-session-conformance"


@functools.lru_cache(maxsize=None)
def code_root() -> Path:
    """The folder a site process gets as PYTHONPATH and works in (and that a Debian root binds):
    the clone itself, or, installed, a copy of the two packages in sites_home(), made once per
    installed version. Not site-packages: on a site environment's PYTHONPATH it would shadow that
    environment's own Django with the runner's (and bring every other runner package along)."""
    clone = clone_root()
    if clone is not None:
        return clone
    home = sites_home()
    target = home / f"code-{_version()}-{_fingerprint()}"
    if not (target / ".complete").exists():
        partial = home / f"{target.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        for name in SITE_CODE:
            shutil.copytree(PACKAGE_PARENT / name, partial / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (partial / ".complete").write_text(f"copied from {PACKAGE_PARENT}\n")
        try:
            partial.rename(target)
        except OSError:  # another run made it first
            shutil.rmtree(partial, ignore_errors=True)
    return target


def site_binds() -> tuple[Path, ...]:
    """What a process inside a Debian root must see at the same paths, working folder first: the
    code it imports and the site environments (a nested one is seen through its parent)."""
    code, home = code_root(), sites_home()
    return (code,) if home.is_relative_to(code) else (code, home)


def _version() -> str:
    try:
        return importlib.metadata.version("django-session-conformance")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _fingerprint() -> str:
    """A short digest of the code a site imports: a reinstall of the same version with other code
    gets a copy of its own."""
    digest = hashlib.sha256()
    for name in SITE_CODE:
        for path in sorted((PACKAGE_PARENT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PACKAGE_PARENT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


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
        work folder): the code it imports always is. Run with code_root() as working directory."""
        site_env = {"PYTHONPATH": str(code_root()), "PYTHONUNBUFFERED": "1", **env}
        if self.root is not None:
            return self.root.command([self.python, *args], site_env, (*site_binds(), *binds)), {
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
