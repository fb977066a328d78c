"""Two reports compared (a baseline and a new run, or the same run on two Django versions): every
(check, profile, browser) whose verdict or key observation changed, classified for a CI gate.

A result's key observations are its `facts` (what the check saw, kept stable from run to run:
Max-Age, whether the cookie was sent, whether a replay was accepted, the shape of the Set-Cookie
header); timings and cookie values are not compared.

    regression     pass, caveat or skip (or absent) -> fail or error: the gate fails on these
    fix            fail (known or not) -> pass or caveat
    became-skip    a verdict -> skip (the check no longer applies)
    no-longer-skip skip -> a verdict other than fail or error
    verdict        any other change of verdict (pass <-> caveat, known <-> fail, error -> pass, ...)
    observation    the same verdict, a key observation changed (old and new side by side)
    new / gone     a result only one side has (a check added or removed)

Known Django defects and caveats never make a regression on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..judge.verdict import CAVEAT, ERROR, FAIL, PASS, SKIP
from .results import FIXED, KNOWN, Report, Result

BAD = (FAIL, ERROR)
GOOD = (PASS, CAVEAT, FIXED)
KINDS = ("regression", "fix", "became-skip", "no-longer-skip", "verdict", "observation", "new", "gone")
GATES = ("regressions", "changes", "none")


class CompareError(Exception):
    """The two reports cannot be compared as they are; the message is one line saying why."""


@dataclass(frozen=True)
class Change:
    key: tuple[str, str, str]  # check, profile, browser
    kind: str
    old: Result | None
    new: Result | None
    facts: dict = field(default_factory=dict)  # name -> (old, new), for the facts that differ

    def line(self) -> str:
        old = _state(self.old)
        new = _state(self.new)
        facts = "; ".join(f"{k}: {_v(a)} -> {_v(b)}" for k, (a, b) in self.facts.items())
        return f"{' '.join(self.key)}: {old} -> {new}" + (f" ({facts})" if facts else "")


def _state(result: Result | None) -> str:
    return "absent" if result is None else result.graded


def _v(value) -> str:
    return "-" if value is None else str(value)


@dataclass(frozen=True)
class Diff:
    old: Report
    new: Report
    changes: tuple[Change, ...]
    compared: int  # results present on both sides

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def regressions(self) -> list[Change]:
        return self.of("regression")

    def fails(self, gate: str) -> bool:
        """Whether a CI gate fails: "regressions" on a regression only, "changes" on any change of
        verdict (new and gone results included), "none" never."""
        if gate == "regressions":
            return bool(self.regressions)
        if gate == "changes":
            return any(c.kind != "observation" for c in self.changes)
        return False

    def to_json(self) -> dict:
        return {"old": {"django": self.old.django, "started": self.old.started},
                "new": {"django": self.new.django, "started": self.new.started}, "compared": self.compared,
                "counts": {k: len(self.of(k)) for k in KINDS},
                "changes": [{"check": c.key[0], "profile": c.key[1], "browser": c.key[2], "kind": c.kind,
                             "old": _state(c.old), "new": _state(c.new),
                             "facts": {k: [a, b] for k, (a, b) in c.facts.items()}} for c in self.changes]}


def classify(old: Result | None, new: Result | None) -> str | None:
    if old is None:
        return "regression" if new.graded in BAD else "new"
    if new is None:
        return "gone"
    before, after = old.graded, new.graded
    if before == after:
        return "observation" if old.facts != new.facts else None
    if after in BAD and before in (*GOOD, SKIP):
        return "regression"
    if before in (FAIL, KNOWN) and after in GOOD:
        return "fix"
    if after == SKIP:
        return "became-skip"
    if before == SKIP:
        return "no-longer-skip"
    return "verdict"


def changed_facts(old: Result | None, new: Result | None) -> dict:
    if old is None or new is None:
        return {}
    return {k: (old.facts.get(k), new.facts.get(k)) for k in sorted(old.facts.keys() | new.facts.keys())
            if old.facts.get(k) != new.facts.get(k)}


def diff(old: Report, new: Report) -> Diff:
    """Pair results by (check, profile, browser), within what the new run covers: profiles,
    browsers and checks the baseline has beyond it are not compared. Raises CompareError when the
    new run has profiles or browsers the baseline never ran."""
    old_by = {r.key.across_versions(): r for r in old.results}
    new_by = {r.key.across_versions(): r for r in new.results}
    for what, index in (("profiles", 1), ("browsers", 2)):
        mine = {k[index] for k in new_by}
        theirs = {k[index] for k in old_by}
        if mine - theirs:
            when = old.started or "unknown date"
            raise CompareError(f"the baseline (Django {old.django}, {when}) has no results for "
                               f"the {what} {', '.join(sorted(mine - theirs))} of this run; it has "
                               f"{', '.join(sorted(theirs)) or 'none'}: compare runs of the same {what}")
    checks, profiles, browsers = ({k[i] for k in new_by} for i in range(3))
    scope = {k for k in old_by if k[1] in profiles and k[2] in browsers}
    changes = []
    for key in sorted(scope | new_by.keys()):
        if key not in new_by and key[0] not in checks and key[0] in {k[0] for k in old_by}:
            continue  # a check this run did not select (--check)
        before, after = old_by.get(key), new_by.get(key)
        kind = classify(before, after)
        if kind is not None:
            changes.append(Change(key, kind, before, after, changed_facts(before, after)))
    return Diff(old, new, tuple(changes), len(scope & new_by.keys()))


def lines(d: Diff, old_name: str = "baseline", new_name: str = "this run") -> list[str]:
    """The terminal's account: counts, then every change, worst first."""
    counts = ", ".join(f"{len(d.of(k))} {k}" for k in KINDS if d.of(k))
    head = (f"compared with {old_name} (Django {d.old.django}) -> {new_name} (Django {d.new.django}): "
            f"{d.compared} results, " + (counts or "nothing changed"))
    return [head] + [f"  {c.kind.upper()}: {c.line()}" for kind in KINDS for c in d.of(kind)]


@dataclass(frozen=True)
class VersionRow:
    key: tuple[str, str, str]
    cells: tuple[Result | None, ...]  # one per version, in order
    facts: tuple[str, ...]  # the facts that differ between versions


def across_versions(reports: list[Report]) -> list[VersionRow]:
    """Every (check, profile, browser) whose verdict or key observation differs between the
    reports (one per Django version, in version order)."""
    by = [{r.key.across_versions(): r for r in report.results} for report in reports]
    rows = []
    for key in sorted(set().union(*by)):
        cells = tuple(b.get(key) for b in by)
        present = [c for c in cells if c is not None]
        graded = {c.graded for c in present}
        facts = tuple(sorted({k for c in present for k in c.facts
                              if len({repr(x.facts.get(k)) for x in present}) > 1}))
        if len(graded) > 1 or facts or len(present) != len(cells):
            rows.append(VersionRow(key, cells, facts))
    return rows


def version_lines(reports: list[Report], rows: list[VersionRow]) -> list[str]:
    versions = [r.django for r in reports]
    if not rows:
        return [f"Django {' vs '.join(versions)}: no verdict and no key observation differs "
                f"({len(reports[0].results)} results each)"]
    out = [f"Django {' vs '.join(versions)}: {len(rows)} results differ (verdict, or the key observations named)"]
    for row in rows:
        cells = []
        for version, cell in zip(versions, row.cells):
            shown = _state(cell)
            if cell is not None and row.facts:
                shown += " " + ", ".join(f"{k}={_v(cell.facts.get(k))}" for k in row.facts)
            cells.append(f"{version}: {shown}")
        out.append(f"  {' '.join(row.key)} | " + " | ".join(cells))
    return out + _known_lines(versions, rows)


def _known_lines(versions: list[str], rows: list[VersionRow]) -> list[str]:
    """The known Django defects behind the differences, by name (a CVE fixed in a later release is
    why a matrix across it differs, and that difference is expected: it never fails the run)."""
    by: dict = {}
    for row in rows:
        for version, cell in zip(versions, row.cells):
            if cell is not None and cell.known and any(c is None or c.known != cell.known for c in row.cells):
                entry = by.setdefault(cell.known, ({}, set()))
                entry[0].setdefault(version, None)
                entry[1].add(row.key[0])
    out = []
    for reason, (where, checks) in by.items():
        title = reason if len(reason) <= 110 else reason[:107].rsplit(" ", 1)[0] + "..."
        out.append(f"  known Django defect on {', '.join(where)} only: {title} [{', '.join(sorted(checks))}]")
    return out


def versions_json(reports: list[Report], rows: list[VersionRow]) -> dict:
    return {"versions": [r.django for r in reports], "differing": len(rows),
            "rows": [{"check": row.key[0], "profile": row.key[1], "browser": row.key[2], "facts": list(row.facts),
                      "cells": [None if c is None else {"verdict": c.graded, **{k: c.facts.get(k) for k in row.facts}}
                                for c in row.cells]} for row in rows]}
