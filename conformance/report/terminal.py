"""The terminal summary: a matrix of profiles × families × browsers (the worst verdict of the
family's checks, one letter per browser), the counts, what each family adds, and one line per
cause of errors, per caveat and per known Django defect."""

from __future__ import annotations

from collections import defaultdict

from ..judge.verdict import CAVEAT, ERROR, FAIL, ORDER, PASS, SKIP
from . import errors
from .results import FIXED, KNOWN, Result

LETTER = {PASS: "P", FAIL: "F", CAVEAT: "C", SKIP: "s", ERROR: "E", KNOWN: "K", FIXED: "X"}
LEGEND = ("P pass, F fail, K known Django defect, X known defect not seen (narrow its entry), C caveat "
          "(documented limitation), s skip, E error, - none")


def cell(results: list[Result], browsers: list[str]) -> str:
    """One letter per browser: the worst verdict among these results (K when every fail is known)."""
    letters = []
    for browser in browsers:
        mine = [r for r in results if r.browser == browser]
        if not mine:
            letters.append("-")
            continue
        worst = min(mine, key=lambda r: ORDER.index(r.verdict))
        known = worst.verdict == FAIL and all(r.known for r in mine if r.verdict == FAIL)
        fixed = worst.verdict == PASS and any(r.known_fixed for r in mine)
        letters.append(LETTER[KNOWN] if known else LETTER[FIXED] if fixed else LETTER[worst.verdict])
    return " ".join(letters)


def lines(results: list[Result], summary: dict, families) -> list[str]:
    if not results:
        return []
    browsers = sorted({r.browser for r in results})
    profiles = sorted({r.profile for r in results})
    names = [f.name for f in families]
    width = max(len(p) for p in profiles) + 2
    col = max(max(len(n) for n in names), 2 * len(browsers)) + 2
    out = [f"cells: {' '.join(browsers)}; worst verdict of the family's checks. {LEGEND}",
           "".ljust(width) + "".join(n.ljust(col) for n in names)]
    by = defaultdict(list)
    for r in results:
        by[(r.profile, r.family)].append(r)
    for profile in profiles:
        out.append(profile.ljust(width) + "".join(cell(by[(profile, n)], browsers).ljust(col) for n in names))
    v = summary["verdicts"]
    out.append(f"{summary['total']} verdicts: {v[PASS]} pass, {v[FAIL]} fail ({summary['known_failures']} known "
               f"Django defects), {v[CAVEAT]} caveat, {v[SKIP]} skip, {v[ERROR]} error")
    for family in families:
        if family.lines and family.name in summary.get("families", {}):
            out += family.lines(summary["families"][family.name], results)
    out += errors.lines(summary["errors"] if "errors" in summary else errors.group(results))
    out += grouped(results, CAVEAT, "note", "caveat")
    out += grouped([r for r in results if r.known], FAIL, "known", "known Django defect")
    out += [f"known Django defect NOT SEEN on Django {r.key.django} (narrow its entry in expectations.toml): "
            f"{r.id} {r.profile} {r.browser}" for r in results if r.known_fixed]
    return out


def grouped(results: list[Result], verdict: str, field: str, label: str) -> list[str]:
    """One line per distinct reason, naming where it was seen (the JSON has every detail)."""
    seen: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.verdict == verdict:
            where = f"{r.id} {r.profile}"
            if where not in seen[getattr(r, field)]:
                seen[getattr(r, field)].append(where)
    return [f"{label}: {reason.split('. ')[0].rstrip('.')}. [{', '.join(where)}]" for reason, where in seen.items()]


def run_lines(timings: dict) -> list[str]:
    """How the run observed: what it observed again, at what concurrency, and its sign-in pace."""
    out = []
    concurrency = timings.get("concurrency") or {}
    rounds = [*concurrency.get("reobserve", []), *concurrency.get("grouped_reobserve", [])]
    if rounds:
        steps = "; ".join(f"{r['scenarios']} ({', '.join(f'{n} {why}' for why, n in r['why'].items())}) with "
                          f"{r['in_flight']} in flight {r['scope']}: {r['observed']} observed" for r in rounds)
        timed = ", ".join(f"{n} {b}" for b, n in concurrency.get("timed", {}).items())
        out.append(f"observed again (the first observation lacked steps it could not make in time; timed "
                   f"scenarios ran {timed} in flight): {steps}")
    sign_ins = timings.get("sign_ins") or {}
    if sign_ins:
        line = (f"sign-ins: {sign_ins['accepted']} accepted, at most one every {sign_ins['interval_s']:g} s "
                f"(--sign-in-rate {sign_ins['rate']})")
        if sign_ins["refused"]:
            line += (f"; the site refused {sign_ins['refused']} ({' | '.join(sign_ins['refusals'])}), so the run "
                     f"slowed to one every {sign_ins['final_interval_s']:g} s")
        out.append(line)
    return out


def exit_line(reports, gate_line: str, exitstatus: int) -> str:
    """Why the run exits as it does, in one line: what failed, or that nothing did."""
    if int(exitstatus) == 2:  # pytest's INTERRUPTED: Ctrl-C
        made = sum(len(report.results) for report in reports)
        return f"exit 2: interrupted after {made} verdicts: the run is incomplete, run it again"
    if gate_line:
        return f"exit {int(exitstatus)}: {gate_line}"
    fails, errs, unseen = [], [], []
    for report in reports:
        for r in report.results:
            if r.verdict == FAIL and not r.known:
                fails.append(r)
            elif r.verdict == ERROR:
                errs.append(r)
            elif r.known_fixed:
                unseen.append(r)
    several = len(reports) > 1
    why = []
    for found, what in ((fails, "failed"), (errs, "errors"), (unseen, "known Django defects not seen")):
        if found:
            versions = f"; Django {', '.join(sorted({r.key.django for r in found}))}" if several else ""
            why.append(f"{len(found)} {what} ({errors.where(found)}{versions})")
    if why:
        return f"exit {int(exitstatus)}: {'; '.join(why)}"
    known = sum(r.verdict == FAIL for report in reports for r in report.results)
    return (f"exit {int(exitstatus)}: no check failed or erred"
            + (f" ({known} known Django defects, each expected)" if known else ""))
