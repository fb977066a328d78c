"""Known Django defects, kept as reviewed data (as web-platform-tests keeps expected failures).

A `fail` that matches an entry is reported as known (with the entry's reason) and does not fail
the run; an entry that no longer fails is reported so the file can be pruned.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path


class ExpectationsError(Exception):
    pass


@dataclass(frozen=True)
class Known:
    check: str  # fnmatch pattern over check ids
    profile: str
    browser: str
    reason: str
    reproduction: str

    def matches(self, check_id: str, profile: str, browser: str) -> bool:
        return (fnmatch.fnmatchcase(check_id, self.check) and fnmatch.fnmatchcase(profile, self.profile)
                and fnmatch.fnmatchcase(browser, self.browser))


def load(path: Path) -> tuple[Known, ...]:
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{path}: not valid TOML: {exc}") from None
    out = []
    for i, entry in enumerate(data.get("known", []), 1):
        missing = [k for k in ("check", "profile", "reason", "reproduction") if not entry.get(k)]
        if missing:
            raise ExpectationsError(f"{path}: [[known]] entry {i} lacks {', '.join(missing)}")
        out.append(Known(entry["check"], entry["profile"], entry.get("browser", "*"),
                         " ".join(entry["reason"].split()), entry["reproduction"].strip()))
    return tuple(out)


def find(known: tuple[Known, ...], check_id: str, profile: str, browser: str) -> Known | None:
    return next((k for k in known if k.matches(check_id, profile, browser)), None)
