"""One run's reports from its shards (--shard K/N on N machines): checked to be every part of one
run, each once, then merged into the report one run would have written (per Django version), its
summary recomputed over every result."""

from __future__ import annotations

from collections import defaultdict

from .results import Report, version_order
from .summary import summarize


class MergeError(Exception):
    """The reports are not the parts of one run, each once; the message is one line."""


def check_parts(named: list[tuple[str, Report]]) -> tuple[str, int]:
    """(run id, N) when the reports are every part of one run, each once; else MergeError."""
    if not named:
        raise MergeError("give the shards' reports: conformance merge A.json B.json ... -o OUT.json")
    whole = [name for name, report in named if not report.shard]
    if whole:
        raise MergeError(f"{whole[0]} is not a shard's report (made without --shard K/N): nothing to merge it with")
    runs = defaultdict(list)
    for name, report in named:
        runs[(report.shard.get("run"), report.shard.get("count"))].append(name)
    if len(runs) > 1:
        described = "; ".join(f"{', '.join(names)}: run {run} in {count} parts" for (run, count), names in runs.items())
        raise MergeError(f"the reports are shards of different runs ({described}): merge the parts of one run")
    (run, count), = runs
    seen = defaultdict(list)
    for name, report in named:
        seen[(report.shard["index"], report.django)].append(name)
    twice = [names for names in seen.values() if len(names) > 1]
    if twice:
        raise MergeError(f"shard given twice: {' and '.join(twice[0])} are the same part of run {run}")
    missing = sorted(set(range(1, count + 1)) - {index for index, _ in seen})
    if missing:
        raise MergeError(f"missing shard {', '.join(f'{k}/{count}' for k in missing)} of run {run}: its report was "
                         f"not given (have {', '.join(f'{k}/{count}' for k in sorted({i for i, _ in seen}))})")
    for index in range(1, count + 1):
        parts = [(name, report) for name, report in named if report.shard["index"] == index]
        shard, names = parts[0][1].shard, " and ".join(name for name, _ in parts)
        if shard.get("exitstatus", 0) not in (0, 1) or shard.get("incomplete"):
            why = "; ".join(shard.get("incomplete") or []) or f"it ended with exit code {shard.get('exitstatus')}"
            raise MergeError(f"shard {index}/{count} ({names}) did not finish ({why}): not every verdict of it was "
                             "made; run it again")
        made = sum(len(report.results) for _, report in parts)
        if "results" in shard and made != shard["results"]:
            raise MergeError(f"shard {index}/{count} made {shard['results']} verdicts but its reports given hold "
                             f"{made} ({names}): give every report it wrote (one per Django version)")
    return run, count


def merge(named: list[tuple[str, Report]], families) -> list[Report]:
    """One Report per Django version, as one run would have made it."""
    run, count = check_parts(named)
    by_version = defaultdict(list)
    for _, report in named:
        if report.results or report.django != "unknown":
            by_version[report.django].append(report)
    out = []
    for django, parts in by_version.items():
        parts.sort(key=lambda r: r.shard["index"])
        results = tuple(r for part in parts for r in part.results)
        timings = {"shards": [{"index": p.shard["index"], "targets": p.shard.get("targets", []),
                               "duration_s": p.duration_s, **{k: v for k, v in p.timings.items()
                                                              if not isinstance(v, (dict, list))}} for p in parts]}
        out.append(Report(
            results=results, django=django, target=parts[0].target, started=min(p.started for p in parts),
            finished=max(p.finished for p in parts), duration_s=max(p.duration_s for p in parts),
            settings_sources=parts[0].settings_sources, timings=timings, summary=summarize(results, families),
            incomplete=tuple(line for p in parts for line in p.incomplete),
            timelines={k: v for p in parts for k, v in p.timelines.items()}))
    return sorted(out, key=lambda r: version_order(r.django))
