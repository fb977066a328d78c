"""The recorder: the one mutable object of a run (kept in config.stash). It collects one Result per
check item, how long each phase took, the site's Django version, and why verdicts are missing; a
pytest-xdist worker hands all of it to the controller, which writes the one report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..report import json_report
from ..report.results import Report, Result, load
from ..report.summary import summarize


@dataclass
class Recorder:
    started: float = field(default_factory=time.time)
    results: list[Result] = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # phase -> seconds, for the report
    django: str = "unknown"  # the site's Django version, once a target (or a worker) told it
    incomplete: list[str] = field(default_factory=list)  # why verdicts are missing (a crashed worker)

    def add(self, result: Result) -> None:
        self.results.append(result)

    def worker_output(self) -> dict:
        """What a pytest-xdist worker sends its controller (JSON-able)."""
        return {"results": [r.to_json() for r in self.results], "timings": self.timings, "django": self.django}

    def merge_worker(self, worker: str, output: dict) -> None:
        self.results.extend(load(output).results)
        self.timings.update({f"{worker}.{k}": v for k, v in output["timings"].items()})
        if output.get("django", "unknown") != "unknown":
            self.django = output["django"]

    def report(self, families, target: dict, sources: dict) -> Report:
        finished = time.time()
        results = tuple(self.results)
        return Report(results=results, django=self.django, target=target, started=json_report.iso(self.started),
                      finished=json_report.iso(finished), duration_s=round(finished - self.started, 1),
                      settings_sources=sources, timings=dict(self.timings), summary=summarize(results, families),
                      incomplete=tuple(self.incomplete))
