"""Known Django defects, kept as reviewed data (as web-platform-tests keeps expected failures).

A `fail` that matches an entry is reported as known (with the entry's reason) and does not fail
the run; an entry that no longer fails is reported so the file can be pruned. Every entry names
the Django versions it applies to (`django`, a version specifier such as ">=4.2,<6.1"), since
Django's own releases fix defects.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


class ExpectationsError(Exception):
    pass


@dataclass(frozen=True)
class Known:
    check: str  # fnmatch pattern over check ids
    profile: str
    browser: str
    reason: str
    reproduction: str
    # PEP 440 specifiers over the site's Django version, any of which may match (a defect fixed in
    # two release lines: ["<5.2.14", ">=6.0,<6.0.5"]); () = every version
    django: tuple[str, ...] = ()
    title: str = ""  # one line naming the defect (the docs' known-defects table)
    # Effective settings the site must have for the entry to apply (SESSION_SAVE_EVERY_REQUEST = true):
    # a defect of a configuration, wherever the run meets it, whatever the profile is called.
    settings: tuple[tuple[str, object], ...] = ()

    def matches(self, check_id: str, profile: str, browser: str, django: str | None = None,
                settings: dict | None = None) -> bool:
        return (fnmatch.fnmatchcase(check_id, self.check) and fnmatch.fnmatchcase(profile, self.profile)
                and fnmatch.fnmatchcase(browser, self.browser) and self.applies_to(django)
                and all((settings or {}).get(name) == value for name, value in self.settings))

    def applies_to(self, django: str | None) -> bool:
        """Whether this Django version is one the entry names (an unknown version: only when the
        entry names every version)."""
        if not self.django:
            return True
        try:
            version = Version(django or "")
        except InvalidVersion:
            return False
        return any(SpecifierSet(spec).contains(version, prereleases=True) for spec in self.django)


def load(path: Path) -> tuple[Known, ...]:
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{path}: not valid TOML: {exc}") from None
    out = []
    for i, entry in enumerate(data.get("known", []), 1):
        missing = [k for k in ("check", "profile", "django", "reason", "reproduction") if not entry.get(k)]
        if missing:
            raise ExpectationsError(f"{path}: [[known]] entry {i} lacks {', '.join(missing)}")
        raw = entry["django"] if isinstance(entry["django"], list) else [entry["django"]]
        specs = tuple(str(s).strip() for s in raw)
        for spec in specs:
            try:
                SpecifierSet("" if spec == "*" else spec)
            except InvalidSpecifier:
                raise ExpectationsError(f"{path}: [[known]] entry {i}: django = {spec!r} is not a version specifier "
                                        "(e.g. \">=4.2\" or [\"<5.2.14\", \">=6.0,<6.0.5\"]; \"*\" for every "
                                        "version)") from None
        out.append(Known(entry["check"], entry["profile"], entry.get("browser", "*"),
                         " ".join(entry["reason"].split()), entry["reproduction"].strip(),
                         () if "*" in specs else specs, " ".join(entry.get("title", "").split()),
                         tuple(sorted((entry.get("settings") or {}).items()))))
    return tuple(out)


def find(known: tuple[Known, ...], check_id: str, profile: str, browser: str,
         django: str | None = None, settings: dict | None = None) -> Known | None:
    return next((k for k in known if k.matches(check_id, profile, browser, django, settings)), None)
