"""A run's summary: the verdict counts, what was run, the errors grouped by cause, and what each
family adds (the renewal family's "expiry resets while the user keeps interacting", ...). Stored
in the JSON report, so readers of a loaded report need no family code."""

from __future__ import annotations

from . import errors
from .results import counts


def summarize(results, families) -> dict:
    c = counts(results)
    return {
        "total": len(results),
        "verdicts": {k: v for k, v in c.items() if k not in ("known_failures", "unexpected_failures",
                                                               "known_not_seen")},
        "known_failures": c["known_failures"],
        "known_not_seen": c["known_not_seen"],
        "unexpected_failures": c["unexpected_failures"],
        "browsers": sorted({r.browser for r in results}),
        "profiles": sorted({r.profile for r in results}),
        "errors": errors.group(results),
        "families": {f.name: f.summarize(list(results)) for f in families if f.summarize},
    }
