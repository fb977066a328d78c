"""The run's conclusion, once every verdict is in: a Report per Django version, the comparison with
the baseline (or of each later version with the first), the rows that differ across versions,
the files written, and the gate. The last step of a run (plan -> start targets -> observe ->
judge -> conclude), called by pytest's session end, and by `conformance merge` for the reports of
a run's shards, so that both say the same thing about the same verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import compare, html, json_report, terminal
from .results import ERROR, FAIL, Report


@dataclass(frozen=True)
class Findings:
    reports: tuple = ()
    diffs: tuple = ()
    versions: tuple = ()
    written: tuple = ()
    gate_failed: bool = False
    gate_line: str = ""

    @property
    def failed(self) -> bool:
        """What fails the run when no gate decides: an unexplained fail, an error, or a known
        defect that was not seen (like a strict xfail)."""
        if self.gate_line:
            return self.gate_failed
        return any((r.verdict == FAIL and not r.known) or r.verdict == ERROR or r.known_fixed
                   for report in self.reports for r in report.results)


def conclude(reports: list[Report], families, report_path: Path, html_path: Path | None = None,
             baseline: Report | None = None, gate: str | None = None, baseline_name: str = "",
             several: bool | None = None) -> Findings:
    """Compare, write the reports (one per Django version when the run compares several: `several`,
    by default when there are several reports; a shard of such a run names its files so even when
    it judged one version only) and the HTML, and gate. Raises compare.CompareError when the
    baseline cannot be compared with them."""
    several = len(reports) > 1 if several is None else several
    if baseline is not None:
        diffs = [compare.diff(baseline, report) for report in reports]
    elif gate is not None:  # several Django versions: each later one against the first
        diffs = [compare.diff(reports[0], report) for report in reports[1:]]
    else:
        diffs = []
    versions = compare.across_versions(reports) if len(reports) > 1 else []
    written = []
    for report in reports:
        path = path_for(report_path, report.django, 2 if several else 1)
        json_report.write(path, report)
        written.append(path)
    if len(reports) > 1:
        path = report_path.with_name(f"{report_path.stem}.versions.json")
        json_report.write_data(path, compare.versions_json(reports, versions))
        written.append(path)
    if html_path is not None:
        html.write(html_path, reports, diffs, versions, families)
        written.append(html_path)
    gate_failed, gate_line = False, ""
    if gate is not None:
        gate_failed = any(d.fails(gate) for d in diffs)
        counted = sum(len(d.regressions) if gate == "regressions" else
                      sum(1 for c in d.changes if c.kind != "observation") for d in diffs)
        against = baseline_name or f"Django {reports[0].django}"
        gate_line = (f"gate '{gate}' against {against}: "
                     + (f"FAILED ({counted} {gate})" if gate_failed else f"passed (no {gate})"))
    return Findings(tuple(reports), tuple(diffs), tuple(versions), tuple(written), gate_failed, gate_line)


def path_for(path: Path, django: str, count: int) -> Path:
    """The report's path: as given for one Django version, one per version otherwise."""
    return path if count == 1 else path.with_name(f"{path.stem}.django-{django}{path.suffix}")


def summary_lines(findings: Findings, families, timings: dict | None = None) -> list[tuple[str, str]]:
    """The terminal's account of the findings, as (section, line) pairs; section "" continues the
    current one."""
    out = [("session conformance", "")]
    several = len(findings.reports) > 1
    for report in findings.reports:
        if several:
            out.append(("", f"Django {report.django}:"))
        out += [("", line) for line in terminal.lines(list(report.results), report.summary, families)]
    if several:
        out.append(("across Django versions", ""))
        out += [("", line) for line in compare.version_lines(list(findings.reports), list(findings.versions))]
    for d in findings.diffs:
        out.append(("against the baseline", ""))
        out += [("", line) for line in compare.lines(d)]
    if findings.gate_line:
        out.append(("", findings.gate_line))
    for line in terminal.run_lines(timings or {}):
        out.append(("", line))
    return out
