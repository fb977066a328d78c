"""--shard K/N: part K of N of a run's targets (each a profile on one site environment), for a CI
job matrix that runs the parts side by side on several machines; `conformance merge` makes one
report of them. The split is deterministic and the same in every part (each plans the whole run,
then keeps its own targets), and a part starts only its own servers. Whole targets go to one
part: every check of a target, in both browsers, and the census of the keys it handed out
(CACHE-07), stay within one part."""

from __future__ import annotations

import hashlib


def run_id(planned, settings) -> str:
    """The whole run's identity, the same in each of its parts: what it judges and how."""
    # Not the project's folder: parallel CI jobs may check it out at different paths.
    what = [*(p.id for p in planned), settings.mode, str(settings.base_url or ""),
            str(getattr(settings.project, "settings", "")), *settings.browsers, *settings.check_patterns,
            *(str(d) for d in settings.djangos), str(settings.shard[1])]
    return hashlib.sha256("\n".join(what).encode()).hexdigest()[:12]


def part(planned: tuple, settings) -> tuple[tuple, dict]:
    """This part's targets (every N-th of the plan, from the K-th: parts of even size, each with
    targets of every Django version), and what its report says of it."""
    index, count = settings.shard
    mine = tuple(p for i, p in enumerate(planned) if i % count == index - 1)
    return mine, {"index": index, "count": count, "run": run_id(planned, settings),
                  "targets": [p.id for p in mine], "of": len(planned)}
