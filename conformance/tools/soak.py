"""`python -m conformance.tools.soak N [--load] [--deployment SERVER [--mode probe|black-box]] [pytest args...]`:
run the conformance suite N times and list every verdict that differed between runs (the goal is
none). By default the reference matrix (pytest args choose profiles, browsers, --django versions);
with --deployment, the project's own test deployment served by that real server (gunicorn, uvicorn,
hypercorn, daphne, runserver, nginx+uvicorn: conformance/tests/apparatus/servers.py), started once
and judged N times in probe or black-box mode (a clone only: it is test apparatus). With --load,
two CPU-burning processes run beside it, to show the verdicts do not depend on load.

Each run writes reports/soak/<name>/run-K.json; the comparison is printed and written to
reports/soak/<name>/summary.json. Exit 1 if any verdict differed or any run had an error.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
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


def _option(argv: list[str], name: str) -> tuple[str | None, list[str]]:
    """`--name VALUE` (or `--name=VALUE`) taken out of argv."""
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1], argv[:i] + argv[i + 2:]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1], argv[:i] + argv[i + 1:]
    return None, argv


@contextmanager
def _target(server: str | None, mode: str):
    """Nothing to start for the reference matrix; else the test deployment on `server`."""
    if server is None:
        yield [], {}
        return
    from ..tests.apparatus.judged import judged  # the clone's test apparatus

    with judged(server, mode) as found:
        yield found


def main(argv: list[str]) -> int:
    under_load = "--load" in argv
    argv = [a for a in argv if a != "--load"]
    server, argv = _option(argv, "--deployment")
    mode, argv = _option(argv, "--mode")
    if not argv or not argv[0].isdigit():
        print("usage: python -m conformance.tools.soak N [--load] [--deployment SERVER [--mode probe|black-box]] "
              "[pytest args...]", file=sys.stderr)
        return 4
    runs, extra = int(argv[0]), argv[1:]
    mode = mode or "probe"
    name = f"{server}-{mode}" if server else "reference"
    out = REPO / "reports" / "soak" / name
    out.mkdir(parents=True, exist_ok=True)
    burners = []
    if under_load:
        stop = time.time() + 24 * 3600
        burners = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(2)]
        for b in burners:
            b.start()
    reports, walls = [], []
    try:
        with _target(server, mode) as (target_args, env):
            for k in range(1, runs + 1):
                path = out / f"run-{k}.json"
                began = time.time()
                subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance/checks",
                                f"--conformance-report={path}", f"--html-report={path.with_suffix('.html')}",
                                *target_args, *extra], cwd=REPO, stdout=subprocess.DEVNULL,
                               env={**os.environ, **env})
                walls.append(round(time.time() - began, 1))
                reports.append(load(path))
                v = reports[-1].summary["verdicts"]
                print(f"{name} run {k}/{runs}: {walls[-1]} s, {v}", flush=True)
    finally:
        for b in burners:
            b.terminate()
    diff = differing(reports)
    errors = sum(r.summary["verdicts"]["error"] for r in reports)
    fails = sum(r.summary["unexpected_failures"] for r in reports)
    summary = {"target": name, "runs": runs, "load": under_load, "wall_s": walls, "errors": errors,
               "unexpected_failures": fails, "verdicts": [r.summary["verdicts"] for r in reports],
               "differing": diff, "reobserved": [r.timings.get("reobserved_scenarios") for r in reports],
               "resent": [r.timings.get("resent_requests") for r in reports],
               "concurrency": [r.timings.get("concurrency") for r in reports],
               "sign_ins": [r.timings.get("sign_ins") for r in reports]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"{name}: {runs} runs{' under load' if under_load else ''}: {len(diff)} verdicts differed, {errors} errors, "
          f"{fails} unexpected fails; wall {min(walls)}-{max(walls)} s; requests resent per run {summary['resent']}")
    for key, verdicts in diff.items():
        print(f"  {key}: {' '.join(verdicts)}")
    return 1 if diff or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
