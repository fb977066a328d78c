"""Where a team's project runs: its own Python (the one the suite was installed into, beside the
project's requirements) by default; with --django SPEC, a site environment made for that Django
(sites/prepare.py) with the project's requirements installed beside it: their own Django pin is
replaced by the release asked for, everything else (a package that needs another Django included)
stays, so that a requirement the release cannot take is said, not hidden."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..sites.environment import SiteEnvironment, runner
from ..sites.prepare import Extra, environment_for

# A requirement line naming Django itself (not django-something).
DJANGO_LINE = re.compile(r"^\s*django\s*(\[[^\]]*\])?\s*([<>=!~;@]|$)", re.IGNORECASE)
INCLUDE = re.compile(r"^(-r|-c|--requirement|--constraint)(\s*=?\s*)(\S+)(.*)$")
LOCAL = re.compile(r"^(-e\s+|--editable\s+)?(\.{1,2}/\S*|\.)(.*)$")


def _logical_lines(text: str) -> list[str]:
    """Lines with their continuations (a trailing backslash: hashes) joined."""
    return re.sub(r"\\\n", " ", text).splitlines()


def rewritten(path: Path) -> tuple[str, list[Path]]:
    """The requirements file's lines as a lock source in another folder can read them: the Django
    pin dropped, includes and local paths made absolute; and the files it includes."""
    out, included = [], []
    for line in _logical_lines(path.read_text()):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or DJANGO_LINE.match(stripped):
            continue
        if (m := INCLUDE.match(stripped)) and "://" not in m[3]:
            target = (path.parent / m[3]).resolve()
            included.append(target)
            stripped = f"{m[1]} {target}{m[4]}"
        elif m := LOCAL.match(stripped):
            stripped = f"{m[1] or ''}{(path.parent / m[2]).resolve()}{m[3]}"
        out.append(stripped)
    return "".join(line + "\n" for line in out), included


def _digest(path: Path, seen: set) -> str:
    """The file and everything it includes, hashed: a change anywhere locks the environment again."""
    if path in seen or not path.is_file():
        return ""
    seen.add(path)
    text, included = rewritten(path)
    return hashlib.sha256((path.read_text() + "".join(_digest(p, seen) for p in included)).encode()).hexdigest()


def extra_for(project) -> Extra:
    name = f"project-{hashlib.sha256(str(project.folder).encode()).hexdigest()[:8]}"
    if project.requirements is None:
        return Extra(name, "", "no requirements")
    path = project.requirements.resolve()
    text, _ = rewritten(path)
    return Extra(name, text + f"# {path} and its includes: sha256 {_digest(path, set())[:16]}\n",
                 f"the project's requirements ({path})")


def project_environment_for(project, spec, say=print) -> SiteEnvironment:
    if spec is None:
        return runner()
    return environment_for(spec, say, extra_for(project))
