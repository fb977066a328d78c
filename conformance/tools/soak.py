"""`python -m conformance.tools.soak N [pytest args...]`: run the conformance matrix N times and list
every verdict that differed between runs (the goal is none). With --load, two CPU-burning
processes run beside it, to show the verdicts do not depend on load.

Each run writes reports/soak/run-K.json; the comparison is printed and written to
reports/soak/summary.json. Exit 1 if any verdict differed or any run had an error.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from ..report.results import Report, load

REPO = Path(__file__).resolve().parents[2]


def _burn(deadline: float) -> None:
    while time.time() < deadline:
        pass


def differing(reports: list[Report]) -> dict:
    """"ID profile browser" -> the verdicts seen in each run, for those that were not all equal."""
    seen: dict = defaultdict(list)
    for report in reports:
        for r in report.results:
            seen[r.key].append(r.graded)
    return {k.label(): v for k, v in sorted(seen.items()) if len(set(v)) > 1 or len(v) != len(reports)}


def main(argv: list[str]) -> int:
    under_load = "--load" in argv
    argv = [a for a in argv if a != "--load"]
    if not argv or not argv[0].isdigit():
        print("usage: python -m conformance.tools.soak N [--load] [pytest args...]", file=sys.stderr)
        return 4
    runs, extra = int(argv[0]), argv[1:]
    out = REPO / "reports" / "soak"
    out.mkdir(parents=True, exist_ok=True)
    burners = []
    if under_load:
        stop = time.time() + 24 * 3600
        burners = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(2)]
        for b in burners:
            b.start()
    reports, walls = [], []
    try:
        for k in range(1, runs + 1):
            path = out / f"run-{k}.json"
            began = time.time()
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance/checks",
                            f"--conformance-report={path}", *extra], cwd=REPO, stdout=subprocess.DEVNULL)
            walls.append(round(time.time() - began, 1))
            reports.append(load(path))
            v = reports[-1].summary["verdicts"]
            print(f"run {k}/{runs}: {walls[-1]} s, {v}", flush=True)
    finally:
        for b in burners:
            b.terminate()
    diff = differing(reports)
    errors = sum(r.summary["verdicts"]["error"] for r in reports)
    summary = {"runs": runs, "load": under_load, "wall_s": walls, "errors": errors, "differing": diff,
               "reobserved": [r.timings.get("reobserved_scenarios") for r in reports]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"{runs} runs{' under load' if under_load else ''}: {len(diff)} verdicts differed, {errors} errors; "
          f"wall {min(walls)}-{max(walls)} s")
    for key, verdicts in diff.items():
        print(f"  {key}: {' '.join(verdicts)}")
    return 1 if diff or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
