"""The recorder: the one mutable object of a run (kept in config.stash). It collects one Result per
check item, how long each phase took, and why verdicts are missing; a pytest-xdist worker hands all
of it to the controller, which writes the report (one per Django version the run judged)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..report import json_report
from ..report.results import Report, Result, load, version_order
from ..report.summary import summarize


@dataclass
class Recorder:
    started: float = field(default_factory=time.time)
    results: list[Result] = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # phase -> seconds, for the report
    timelines: dict = field(default_factory=dict)  # (django, timeline key) -> report/timeline.py's drawing data
    incomplete: list[str] = field(default_factory=list)  # why verdicts are missing (a crashed worker)

    def add(self, result: Result) -> None:
        self.results.append(result)

    def worker_output(self) -> dict:
        """What a pytest-xdist worker sends its controller (JSON-able)."""
        return {"results": [r.to_json() for r in self.results], "timings": self.timings,
                "timelines": [[django, name, drawing] for (django, name), drawing in self.timelines.items()]}

    def merge_worker(self, worker: str, output: dict) -> None:
        self.results.extend(load(output).results)
        self.timings.update({f"{worker}.{k}": v for k, v in output["timings"].items()})
        self.timelines.update({(django, name): drawing for django, name, drawing in output.get("timelines", [])})

    def reports(self, families, target: dict, sources: dict, sites: dict | None = None,
                shard: dict | None = None) -> list[Report]:
        """One Report per Django version the results are about (one, unless the run compared
        versions), in version order. `sites` describes each version's site environment; `shard`,
        which part of a sharded run this is (a shard that judged nothing still reports, empty)."""
        finished = time.time()
        versions = sorted({r.key.django for r in self.results}, key=version_order) or ["unknown"]
        out = []
        for django in versions:
            results = tuple(r for r in self.results if r.key.django == django)
            described = {**target, **({"site": sites[django]} if sites and django in sites else {})}
            out.append(Report(results=results, django=django, target=described, started=json_report.iso(self.started),
                              finished=json_report.iso(finished), duration_s=round(finished - self.started, 1),
                              settings_sources=sources, timings=dict(self.timings),
                              summary=summarize(results, families), incomplete=tuple(self.incomplete),
                              timelines={name: t for (v, name), t in self.timelines.items() if v == django},
                              shard=dict(shard or {})))
        return out
