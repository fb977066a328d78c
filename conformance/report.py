"""The report: reports/conformance.json and the terminal summary (profiles × families × browsers)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from .check import FAMILIES
from .verdict import CAVEAT, ERROR, FAIL, ORDER, PASS, SKIP

LETTER = {PASS: "P", FAIL: "F", CAVEAT: "C", SKIP: "s", ERROR: "E", "known": "K"}
FIELDS = ("id", "family", "profile", "browser", "verdict", "known", "expected", "observed", "evidence",
          "note", "doc", "quote", "title", "duration_s", "reobserved", "nodeid")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def sliding_summary(records: list[dict]) -> dict:
    """Under which profiles 'expiry resets while the user keeps interacting' held, as observed
    (REN-02: reads, REN-04: writes), in every browser that ran them."""
    seen: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {"reads": [], "writes": []})
    for r in records:
        facts = r.get("facts") or {}
        if r["id"] in ("REN-02", "REN-04") and "renewed_in_browser" in facts:
            renewed = facts["renewed_in_browser"] and facts["renewed_on_server"]
            seen[r["profile"]]["reads" if r["id"] == "REN-02" else "writes"].append(renewed)
    out = {"reads_and_writes": [], "writes_only": [], "never": [], "mixed": [], "partly_checked": [],
           "reads_writes_unchecked": [], "not_on_reads_writes_unchecked": []}
    for profile, kinds in sorted(seen.items()):
        reads, writes = kinds["reads"], kinds["writes"]
        if reads and not writes and len(set(reads)) == 1:
            # Black-box mode: reads are the only activity the suite can cause.
            out["reads_writes_unchecked" if reads[0] else "not_on_reads_writes_unchecked"].append(profile)
        elif not reads or not writes:
            out["partly_checked"].append(profile)  # only REN-04 ran, or reads differ: no claim
        elif len(set(reads)) > 1 or len(set(writes)) > 1:
            out["mixed"].append(profile)
        elif all(reads) and all(writes):
            out["reads_and_writes"].append(profile)
        elif all(writes):
            out["writes_only"].append(profile)
        else:
            out["never"].append(profile)
    return out


def summarize(records: list[dict]) -> dict:
    verdicts = Counter(r["verdict"] for r in records)
    return {
        "total": len(records),
        "verdicts": {v: verdicts.get(v, 0) for v in ORDER},
        "known_failures": sum(1 for r in records if r["verdict"] == FAIL and r.get("known")),
        "unexpected_failures": sum(1 for r in records if r["verdict"] == FAIL and not r.get("known")),
        "browsers": sorted({r["browser"] for r in records}),
        "profiles": sorted({r["profile"] for r in records}),
        "expiry_resets_on_interaction": sliding_summary(records),
    }


def write_json(path: Path, records: list[dict], started: float, finished: float, django: str,
               settings_sources: dict, timings: dict | None = None, target: dict | None = None,
               incomplete: list | None = None) -> dict:
    doc = {
        "django": django,
        # What was judged: the spawned reference site, or a deployment (its URL, mode, settings).
        "target": target or {"mode": "reference", "base_url": None},
        "started": _iso(started),
        "finished": _iso(finished),
        "duration_s": round(finished - started, 1),
        "settings_sources": settings_sources,
        "timings": timings or {},
        "results": [{k: r.get(k) for k in FIELDS} | {"facts": r.get("facts") or {}} for r in records],
        "summary": summarize(records),
        "incomplete": incomplete or [],  # e.g. a crashed xdist worker: verdicts it made are missing
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str))
    return doc


def _cell(records: list[dict], browsers: list[str]) -> str:
    letters = []
    for browser in browsers:
        mine = [r for r in records if r["browser"] == browser]
        if not mine:
            letters.append("-")
            continue
        worst = min(mine, key=lambda r: ORDER.index(r["verdict"]))
        letters.append(LETTER["known"] if worst["verdict"] == FAIL and all(
            r.get("known") for r in mine if r["verdict"] == FAIL) else LETTER[worst["verdict"]])
    return " ".join(letters)


def terminal_lines(records: list[dict]) -> list[str]:
    if not records:
        return []
    browsers = sorted({r["browser"] for r in records})
    profiles = sorted({r["profile"] for r in records})
    width = max(len(p) for p in profiles) + 2
    col = max(max(len(f) for f in FAMILIES), 2 * len(browsers)) + 2
    lines = [f"cells: {' '.join(browsers)}; worst verdict of the family's checks. "
             "P pass, F fail, K known Django defect, C caveat (documented limitation), s skip, E error, - none",
             "".ljust(width) + "".join(f.ljust(col) for f in FAMILIES)]
    by = defaultdict(list)
    for r in records:
        by[(r["profile"], r["family"])].append(r)
    for profile in profiles:
        lines.append(profile.ljust(width) + "".join(_cell(by[(profile, f)], browsers).ljust(col) for f in FAMILIES))
    s = summarize(records)
    v = s["verdicts"]
    lines.append(f"{s['total']} verdicts: {v[PASS]} pass, {v[FAIL]} fail ({s['known_failures']} known Django "
                 f"defects), {v[CAVEAT]} caveat, {v[SKIP]} skip, {v[ERROR]} error")
    sliding = s["expiry_resets_on_interaction"]
    lines.append("'Expiry resets while the user keeps interacting' (observed):")
    lines.append(f"  holds for reads and writes: {', '.join(sliding['reads_and_writes']) or 'none'}")
    lines.append(f"  holds for writes only (reads do not renew): {', '.join(sliding['writes_only']) or 'none'}")
    lines.append(f"  does not hold: {', '.join(sliding['never']) or 'none'}")
    if sliding["mixed"]:
        lines.append(f"  differs between browsers: {', '.join(sliding['mixed'])}")
    if sliding["reads_writes_unchecked"]:
        lines.append(f"  holds for reads (writes not checked): {', '.join(sliding['reads_writes_unchecked'])}")
    if sliding["not_on_reads_writes_unchecked"]:
        lines.append(f"  does not hold for reads (writes not checked): "
                     f"{', '.join(sliding['not_on_reads_writes_unchecked'])}")
    unjudged = sorted({r["profile"] for r in records if r["id"] in ("REN-02", "REN-04")} -
                      {p for kind in sliding.values() for p in kind})
    if unjudged:
        lines.append(f"  not judged (REN-02 and REN-04 skipped): {', '.join(unjudged)}")
    if sliding["partly_checked"]:
        lines.append(f"  not judged (REN-02 or REN-04 did not run): {', '.join(sliding['partly_checked'])}")
    lines += _grouped(records, CAVEAT, "note", "caveat")
    lines += _grouped([r for r in records if r.get("known")], FAIL, "known", "known Django defect")
    return lines


def _grouped(records: list[dict], verdict: str, field: str, label: str) -> list[str]:
    """One line per distinct reason, naming where it was seen (the JSON has every detail)."""
    seen: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r["verdict"] == verdict:
            where = f"{r['id']} {r['profile']}"
            if where not in seen[r[field]]:
                seen[r[field]].append(where)
    return [f"{label}: {reason.split('. ')[0].rstrip('.')}. [{', '.join(where)}]" for reason, where in seen.items()]
