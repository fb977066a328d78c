"""Which Django a reference site runs: a release line ("5.2": the newest patch its lock pins) or an
exact release ("5.2.8"), and the Pythons that release supports."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Django's supported Python versions per release line (its release notes): (oldest, newest).
PYTHONS = {
    "4.2": ((3, 8), (3, 12)),
    "5.0": ((3, 10), (3, 12)),
    "5.1": ((3, 10), (3, 13)),
    "5.2": ((3, 10), (3, 14)),
    "6.0": ((3, 12), (3, 14)),
    "6.1": ((3, 12), (3, 14)),
}
OLDEST_LINE = "4.2"
ASYNC_LINE = "5.1"  # the first line with the async session API (aset_expiry(), ...): see protocol.ASYNC_SINCE  # the oldest line with a lock in sites/locks/ (older ones are out of support)


class SpecError(Exception):
    """Not a Django version this suite can run; the message is one line."""


@dataclass(frozen=True)
class DjangoSpec:
    line: str  # "5.2"
    exact: str | None = None  # "5.2.8"; None: the line's locked newest patch

    @classmethod
    def parse(cls, text: str) -> "DjangoSpec":
        text = text.strip()
        match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
        if not match:
            raise SpecError(f"--django {text!r}: give a release line such as 5.2 (its newest patch) or an exact "
                            "release such as 5.2.8")
        line = f"{match[1]}.{match[2]}"
        if _key(line) < _key(OLDEST_LINE):
            raise SpecError(f"--django {text}: Django {line} is out of support; the oldest line this suite runs "
                            f"is {OLDEST_LINE}")
        return cls(line, text if match[3] is not None else None)

    @property
    def name(self) -> str:
        """The environment's folder and label: django-5.2, django-5.2.8."""
        return f"django-{self.exact or self.line}"

    @property
    def requirement(self) -> str:
        return f"Django=={self.exact}" if self.exact else f"Django=={self.line}.*"

    @property
    def requirements(self) -> str:
        """What a site environment installs (its lock's source): Django, and from 5.1, which has
        the async session API, the ASGI server the async profiles are served by."""
        return self.requirement + "\n" + ("uvicorn\n" if _key(self.line) >= _key(ASYNC_LINE) else "")

    def pythons(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(oldest, newest) Python the line supports; a line newer than the table needs at least
        what the newest listed line needs."""
        if self.line in PYTHONS:
            return PYTHONS[self.line]
        newest = max(PYTHONS, key=_key)
        return PYTHONS[newest][0], (3, 99)

    def __str__(self) -> str:
        return self.exact or self.line


def _key(line: str) -> tuple[int, ...]:
    return tuple(int(p) for p in line.split("."))
