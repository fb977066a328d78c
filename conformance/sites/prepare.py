"""Make (once) and find the site environment for a Django spec: a virtualenv
`django-<spec>/` in sites_home() (a clone's `.sites/`, else a per-user folder), installed from a
lock with pip's --require-hashes, with a Python the release supports: the runner's own or another
on this machine, else Debian 13's inside a root (sites/root.py). Release lines are locked in the
package, `conformance/sites/locks/site-django-<line>.txt` (`make lock`); an exact release is
locked on first use (uv pip compile) beside its environment. A stamp, written
last, says the environment is complete and which lock it was made from; a changed lock remakes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .environment import SiteEnvironment, SiteEnvironmentError, code_root, runner, site_binds, sites_home
from .root import PYTHON as ROOT_PYTHON
from .root import DebianRoot, RootUnavailable, why_not
from .spec import DjangoSpec

LOCKS = Path(__file__).resolve().with_name("locks")  # one per release line, shipped in the package
STAMP = ".conformance-env.json"
LOCK_COPY = ".conformance-lock.txt"  # the lock an environment was installed from, inside it
HOST_PYTHONS = tuple(f"python3.{minor}" for minor in range(8, 16))


@dataclass(frozen=True)
class Extra:
    """What a project's environment installs beside the Django asked for: its requirements (their
    own Django pin taken out, paths and includes made absolute), and the folder name that keeps it
    apart from others."""

    name: str  # e.g. "project-1a2b3c4d"
    requirements: str  # the lock source's lines, with a digest of every file they include
    source: str  # where they come from, for messages


def environment_for(spec: DjangoSpec | None, say=print, extra: Extra | None = None) -> SiteEnvironment:
    """The environment for this spec (the runner's own for None), made first if need be; with
    `extra`, a project's, its requirements installed beside that Django."""
    if spec is None:
        return runner()
    sites = sites_home()
    sites.mkdir(parents=True, exist_ok=True)
    with _exclusive(sites / ".lock"):  # two runs preparing the same environment wait for each other
        folder = sites / (f"{extra.name}-{spec.name}" if extra else spec.name)
        stamp = _stamp(folder)
        python, version, root = _python_for(spec)
        lock = _lock(spec, folder, version, say, extra)
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()
        if stamp is None or stamp.get("lock_sha256") != digest or stamp.get("python") != python:
            _make(spec, folder, python, root, lock, say)
            django = _ask(folder, root, "import django; print(django.get_version())")
            (folder / STAMP).write_text(json.dumps({"spec": str(spec), "django": django, "python": python,
                                                    "python_version": version, "lock_sha256": digest,
                                                    "root": root.name if root else ""}, indent=1))
            stamp = _stamp(folder)
    return SiteEnvironment(folder.name, str(folder / "bin" / "python"), stamp["django"], stamp["python_version"],
                           root, str(spec))


@contextlib.contextmanager
def _exclusive(path: Path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None


def _python_for(spec: DjangoSpec) -> tuple[str, str, DebianRoot | None]:
    """(interpreter, "3.X", root or None): a Python on this machine the release supports (the
    runner's first), else Debian 13's Python 3.13 inside a root."""
    oldest, newest = spec.pythons()
    candidates = [sys.executable] + [p for name in HOST_PYTHONS if (p := shutil.which(name))]
    for candidate in dict.fromkeys(candidates):
        version = _version(candidate)
        if version and oldest <= version <= newest:
            return candidate, f"{version[0]}.{version[1]}", None
    if not (oldest <= (3, 13) <= newest):
        raise SiteEnvironmentError(f"Django {spec} needs Python {_range(oldest, newest)}: install one "
                                   f"(python3.X on PATH is used)")
    problem = why_not(_range(oldest, newest))
    if problem:
        raise SiteEnvironmentError(f"Django {spec}: {problem}")
    return ROOT_PYTHON, "3.13", DebianRoot(sites_home() / "root-debian-trixie")


def _version(python: str) -> tuple[int, int] | None:
    """The interpreter's version, if it can make virtualenvs (Debian's needs python3.X-venv)."""
    try:
        done = subprocess.run([python, "-c", "import sys, venv, ensurepip; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    major, minor = done.stdout.split()
    return int(major), int(minor)


def _range(oldest, newest) -> str:
    return f"{oldest[0]}.{oldest[1]}" + (f" to {newest[0]}.{newest[1]}" if newest[1] < 99 else " or newer")


def _lock(spec: DjangoSpec, folder: Path, python_version: str, say, extra: Extra | None = None) -> Path:
    if spec.exact is None and extra is None:
        lock = LOCKS / f"site-django-{spec.line}.txt"
        if not lock.exists():
            raise SiteEnvironmentError(f"no lock for Django {spec.line} in conformance/sites/locks/: add the line to "
                                       f"PYTHONS in conformance/sites/spec.py and run `make lock` in a clone")
        return lock
    lock = folder.with_name(folder.name + ".lock.txt")
    source = lock.with_suffix(".in")
    wanted = spec.requirements + (extra.requirements if extra else "")
    if lock.exists() and source.exists() and source.read_text() == wanted:
        return lock
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise SiteEnvironmentError(f"locking Django {spec} needs uv: pip install uv (the [suite] extra and "
                                   "make deps install it)")
    say(f"locking Django {spec}{' with ' + extra.source if extra else ''} (first use): uv pip compile "
        "--generate-hashes")
    source.write_text(wanted)
    done = subprocess.run([uv, "pip", "compile", "--quiet", "--generate-hashes", "--universal", "--python-version",
                           python_version, str(source), "-o", str(lock)], capture_output=True, text=True)
    if done.returncode != 0:
        lock.unlink(missing_ok=True)
        reason = _uv_reason(done.stderr)
        if extra:
            raise SiteEnvironmentError(f"cannot install {extra.source} with Django {spec}: {reason}")
        raise SiteEnvironmentError(f"cannot lock Django {spec}: {reason}")
    return lock


def _uv_reason(stderr: str) -> str:
    """uv's explanation, as one line: its 'Because ...' sentences (which name the requirement that
    does not fit), else its last lines."""
    lines = [re.sub(r"^(cause|error):\s*", "", line.strip(" ╰─▶×│").strip()) for line in stderr.strip().splitlines()]
    because = [line for line in lines if line.startswith("Because")]
    return because[0] if because else " ".join(lines[-2:])


def _make(spec: DjangoSpec, folder: Path, python: str, root: DebianRoot | None, lock: Path, say) -> None:
    say(f"making the site environment for Django {spec} (one-off): {folder}")
    if root is not None:
        try:
            root.build(say)
        except RootUnavailable as exc:
            raise SiteEnvironmentError(f"Django {spec}: {exc}") from None
    shutil.rmtree(folder, ignore_errors=True)
    _in(root, [python, "-m", "venv", str(folder)], "making the virtualenv")
    # pip reads the lock from inside the environment: a Debian root sees sites_home(), not the package.
    shutil.copyfile(lock, folder / LOCK_COPY)
    _in(root, [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps",
               "-r", str(folder / LOCK_COPY)], f"installing {lock.name}")


def _in(root: DebianRoot | None, argv: list[str], what: str) -> str:
    if root is not None:
        argv = root.command(argv, {}, site_binds())
    done = subprocess.run(argv, capture_output=True, text=True, cwd=code_root())
    if done.returncode != 0:
        reason = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise SiteEnvironmentError(f"{what} failed ({done.returncode}): {reason}")
    return done.stdout


def _ask(folder: Path, root: DebianRoot | None, code: str) -> str:
    return _in(root, [str(folder / "bin" / "python"), "-c", code], "asking the environment").strip()
