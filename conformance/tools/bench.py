"""`make bench`: how long the reference matrix takes on this machine, against what bounds it.

From one sitting, each figure a median with min and max over --runs runs:
  (a) the longest single scenario run alone, per browser (the whole run: servers, browser, the scenario);
  (b) the full reference matrix per browser and with both;
  (c) the same matrix one scenario at a time: the sum of every scenario's own duration in (b) (its
      first request to its end) plus the phases that already run one after another; not run,
      since it takes as long as it says;
  (d) the machine's CPU seconds over each run (every process: browsers and servers included, read
      from /proc/stat, so keep the machine otherwise quiet) and the share of the run's wall time
      the CPUs were saturated (busy ≥ 90 % of the cores this process may use);
  (e) the matrix over two Django versions against one;
  (f) peak memory (the machine's used memory above what it was before the run);
  (g) the matrix in two shards (--shard 1/2, 2/2) one after the other, as two CI machines would run
      them side by side: the longer of the two against (b), and their verdicts, together, against
      the kept reference.
Then the ratios b/a, c/b, e2/e1 and b against its CPU floor (CPU seconds ÷ cores), and CPU seconds
per verdict. Every run's verdicts are compared with the kept reference verdicts
(conformance/tests/data/reference-verdicts.json): a faster suite that moves one is no faster suite.

Fewer cores: `taskset -c 0 make bench` (the cores this process may use are what it counts).
Writes bench/results.md and bench/results.json (the README's performance section quotes them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from conformance.report.results import load

REPO = Path(__file__).resolve().parents[2]
KEPT = REPO / "conformance" / "tests" / "data" / "reference-verdicts.json"
OUT = REPO / "bench"
BROWSERS = ("chromium", "firefox")
SAMPLE_S = 0.1
SATURATED = 0.9  # busy share of the usable cores that counts as saturated
HZ = os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """The machine's busy CPU time and used memory, sampled every SAMPLE_S while a run goes."""

    def __init__(self, cores: int):
        super().__init__(daemon=True)
        self.cores, self.stop = cores, threading.Event()
        self.busy_s = 0.0
        self.saturated_s = 0.0
        self.elapsed_s = 0.0
        self.base_used = self.peak_used = _used_memory()

    def run(self) -> None:
        last, t = _cpu_times(), time.monotonic()
        while not self.stop.wait(SAMPLE_S):
            now, t2 = _cpu_times(), time.monotonic()
            busy = (now[0] - last[0]) / HZ
            dt = t2 - t
            self.busy_s += busy
            self.elapsed_s += dt
            # /proc/stat counts every core; the run may use only `cores` of them (taskset).
            if busy >= SATURATED * self.cores * dt:
                self.saturated_s += dt
            self.peak_used = max(self.peak_used, _used_memory())
            last, t = now, t2


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores: busy is everything but idle and iowait."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle, sum(fields[:8])


def _used_memory() -> int:
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) * 1024


@dataclass
class Measure:
    wall_s: float
    cpu_s: float
    saturated_share: float
    peak_mb: float
    verdicts: int
    moved: int  # verdicts that differ from the kept reference verdicts (-1: not compared)
    exit_code: int
    timings: dict = field(default_factory=dict)
    failing: list = field(default_factory=list)  # unexpected fails and errors, so a red run says why
    graded: dict = field(default_factory=dict)  # key -> verdict, for a shard (its part of the kept ones)


def measure(args: list[str], cores: int, compare: bool = True) -> Measure:
    """One run of the suite with `args`, sampled."""
    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance/checks",
               f"--conformance-report={report}", f"--html-report={Path(tmp) / 'report.html'}", *args]
        sampler = Sampler(cores)
        sampler.start()
        began = time.monotonic()
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        wall = time.monotonic() - began
        sampler.stop.set()
        sampler.join()
        # Several Django versions write one report each (report.django-<version>.json).
        reports = [report] if report.exists() else sorted(Path(tmp).glob("report.django-*.json"))
        if not reports:
            raise SystemExit(f"bench: a run wrote no report ({' '.join(args)}): {done.stderr.strip()[-500:]}")
        loaded = [load(r) for r in reports]
    results = [r for each in loaded for r in each.results]
    moved = _moved(results) if compare else -1
    saturated = sampler.saturated_s / max(sampler.elapsed_s, 1e-9)
    failing = sorted(f"{r.key.label(with_django=True)}: {r.verdict}" for r in results
                     if r.graded in ("fail", "error"))
    shard = any(a.startswith("--shard") for a in args)
    return Measure(round(wall, 2), round(sampler.busy_s, 1), round(saturated, 3),
                   round((sampler.peak_used - sampler.base_used) / 2**20), len(results), moved, done.returncode,
                   loaded[0].timings, failing[:20], _graded(results) if shard else {})


def _graded(results) -> dict:
    """key -> verdict, graded as the kept reference verdicts are."""
    return {r.key.label(): "fail (known)" if r.graded == "known" else r.verdict for r in results}


def _moved(results) -> int:
    """How many verdicts differ from the kept reference ones, graded as test_reference_matrix grades
    them; only on the browsers this run covered (a one-browser run is compared on its browser)."""
    kept = json.loads(KEPT.read_text())["verdicts"]
    got = _graded(results)
    browsers = {r.browser for r in results}
    return sum(1 for k, v in got.items() if kept.get(k) != v) + \
        sum(1 for k in kept if k not in got and k.rsplit(" ", 1)[1] in browsers)


def stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def checks_of(scenario: str) -> list[str]:
    """The check ids that read this scenario (so that a run of them runs it alone)."""
    import importlib

    from conformance.checks import FAMILY_MODULES
    from conformance.judge.check import check_of

    ids = []
    for name in FAMILY_MODULES:
        module = importlib.import_module(f"conformance.checks.{name}")
        for obj in vars(module).values():
            meta = check_of(obj)
            if meta is not None and meta.scenario.name == scenario:
                ids.append(meta.id)
    return sorted(set(ids))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median, min, max); default 3")
    parser.add_argument("--djangos", default="5.2 4.2", help="the two Django versions of (e); default '5.2 4.2'")
    parser.add_argument("--skip-versions", action="store_true", help="leave out (e), the two-version matrix")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write results.md and results.json")
    parser.add_argument("extra", nargs="*", help="more suite options for every run (after --)")
    opts = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    runs: dict[str, list[Measure]] = {}

    def go(name: str, args: list[str], compare: bool = True) -> None:
        for i in range(opts.runs):
            m = measure([*args, *opts.extra], cores, compare)
            runs.setdefault(name, []).append(m)
            print(f"bench: {name} run {i + 1}/{opts.runs}: {m.wall_s:.1f} s wall, {m.cpu_s:.0f} CPU s, "
                  f"{m.verdicts} verdicts, {m.moved if m.moved >= 0 else '-'} moved, exit {m.exit_code}"
                  + (f"; failing: {', '.join(m.failing)}" if m.failing else ""), flush=True)

    if not opts.skip_versions:  # created once, before anything is timed
        subprocess.run([sys.executable, "-m", "conformance", "sites", "prepare", *opts.djangos.split()[:2]],
                       cwd=REPO, check=True)
    go("matrix both", [])
    for browser in BROWSERS:
        go(f"matrix {browser}", ["--browser", browser])
    # The longest scenarios of the matrix runs (under load), each run alone: (a) is the longest alone.
    candidates: dict[str, set] = {b: set() for b in BROWSERS}
    for m in runs["matrix both"]:
        for browser, top in m.timings.get("longest_scenarios", {}).items():
            candidates[browser].update((spec["scenario"], spec["target"].split("@")[0]) for spec in top)
    longest = {}
    for browser in BROWSERS:
        for scenario, profile in sorted(candidates[browser]):
            args = ["--browser", browser, "--profile", profile]
            for check_id in checks_of(scenario):
                args += ["--check", check_id]
            name = f"alone {browser} {scenario} {profile}"
            go(name, args, compare=False)
            median = statistics.median(m.wall_s for m in runs[name])
            if browser not in longest or median > longest[browser]["median"]:
                longest[browser] = {"scenario": scenario, "target": profile, "median": median, "run": name}
    for k in (1, 2):
        go(f"shard {k}/2", [f"--shard={k}/2"], compare=False)
    if not opts.skip_versions:
        one, two = opts.djangos.split()[:1], opts.djangos.split()[:2]
        go("versions 1", [f"--django={v}" for v in one], compare=False)
        go("versions 2", [f"--django={v}" for v in two], compare=False)
    figures = summarize(runs, cores, longest)
    write(opts.out, figures, runs)
    print("\n".join(lines(figures)))
    return 0


def summarize(runs: dict[str, list[Measure]], cores: int, longest: dict) -> dict:
    def s(name: str, attr: str) -> dict | None:
        return stats([getattr(m, attr) for m in runs[name]]) if name in runs else None

    both = runs["matrix both"]
    naive = [sum(m.timings.get("scenarios_sum_s", {}).values()) + m.timings.get("restart_scenarios_s", 0)
             + m.timings.get("servers_start_s", 0) + m.timings.get("browsers_launch_s", 0) for m in both]
    fig = {"cores": cores, "runs": len(both), "longest_scenario": longest,
           "a": {b: s(longest[b]["run"], "wall_s") if b in longest else None for b in BROWSERS},
           "b": {"both": s("matrix both", "wall_s"), **{b: s(f"matrix {b}", "wall_s") for b in BROWSERS}},
           "c": stats(naive),
           "d": {"cpu_s": s("matrix both", "cpu_s"), "saturated_share": s("matrix both", "saturated_share"),
                 **{f"cpu_s {b}": s(f"matrix {b}", "cpu_s") for b in BROWSERS}},
           "e": {"one": s("versions 1", "wall_s"), "two": s("versions 2", "wall_s")},
           "f": {"peak_mb": s("matrix both", "peak_mb")},
           "g": _shards(runs),
           "verdicts": both[0].verdicts,
           "moved": {name: [m.moved for m in ms] for name, ms in runs.items() if ms[0].moved >= 0},
           "phases": {k: v for k, v in both[0].timings.items() if not isinstance(v, dict)}}
    b = fig["b"]["both"]["median"]
    a = max((v["median"] for v in fig["a"].values() if v), default=None)
    cpu = fig["d"]["cpu_s"]["median"]
    fig["ratios"] = {
        "b_both/a": round(b / a, 2) if a else None,
        **{f"b_{br}/a_{br}": round(fig["b"][br]["median"] / fig["a"][br]["median"], 2)
           for br in BROWSERS if fig["a"].get(br) and fig["b"].get(br)},
        "c/b": round(fig["c"]["median"] / b, 2),
        "e_two/e_one": round(fig["e"]["two"]["median"] / fig["e"]["one"]["median"], 2) if fig["e"]["one"] else None,
        "b/cpu_floor": round(b / (cpu / cores), 2),
        "cpu_s_per_verdict": round(cpu / fig["verdicts"], 3),
        **({"g_longer/b": round(fig["g"]["longer"]["median"] / b, 2)} if fig["g"] else {}),
    }
    return fig


def _shards(runs: dict) -> dict | None:
    """(g): each sitting's two shards, the longer one, and whether together they gave the kept verdicts."""
    one, two = runs.get("shard 1/2"), runs.get("shard 2/2")
    if not one or not two:
        return None
    kept = json.loads(KEPT.read_text())["verdicts"]
    moved = []
    for a, b in zip(one, two):
        together = {**a.graded, **b.graded}
        moved.append(sum(1 for k in kept.keys() | together.keys() if kept.get(k) != together.get(k)))
    return {"shard1": stats([m.wall_s for m in one]), "shard2": stats([m.wall_s for m in two]),
            "longer": stats([max(a.wall_s, b.wall_s) for a, b in zip(one, two)]), "moved": moved}


def lines(fig: dict) -> list[str]:
    def st(x) -> str:
        return "n/a" if not x else f"{x['median']:.1f} s (min {x['min']:.1f}, max {x['max']:.1f})"

    r = fig["ratios"]
    out = [f"bench: {fig['runs']} run(s) per figure, {fig['cores']} core(s), {fig['verdicts']} verdicts per matrix"]
    for b in BROWSERS:
        spec = fig["longest_scenario"].get(b, {})
        out.append(f"(a) longest scenario alone, {b}: {st(fig['a'].get(b))}  "
                   f"[{spec.get('scenario')} on {spec.get('target')}, the whole run: servers, browser, scenario]")
    out.append(f"(b) matrix, both browsers: {st(fig['b']['both'])}")
    for b in BROWSERS:
        out.append(f"(b) matrix, {b} only: {st(fig['b'].get(b))}")
    out.append(f"(c) one scenario at a time (sum of their own durations): {st(fig['c'])}")
    d = fig["d"]
    out.append(f"(d) CPU seconds, both browsers: {d['cpu_s']['median']:.0f} (min {d['cpu_s']['min']:.0f}, "
               f"max {d['cpu_s']['max']:.0f}); saturated {100 * d['saturated_share']['median']:.0f} % of the wall time"
               + "".join(f"; {b} only: {d[f'cpu_s {b}']['median']:.0f}" for b in BROWSERS if d.get(f"cpu_s {b}")))
    out.append(f"(e) two Django versions: {st(fig['e']['two'])}; one: {st(fig['e']['one'])}")
    out.append(f"(f) peak memory above idle: {fig['f']['peak_mb']['median']:.0f} MB")
    if fig.get("g"):
        g = fig["g"]
        out.append(f"(g) two shards one after the other: 1/2 {st(g['shard1'])}; 2/2 {st(g['shard2'])}; the longer "
                   f"{st(g['longer'])}; verdicts together against the kept ones: "
                   + ("identical" if not any(g["moved"]) else f"MOVED {g['moved']}"))
    out.append("ratios: " + ", ".join(f"{k} {v}" for k, v in r.items()))
    moved = {k: v for k, v in fig["moved"].items() if any(v)}
    out.append("verdicts: identical to the kept reference in every run" if not moved
               else f"verdicts MOVED: {moved}")
    return out


def write(out: Path, fig: dict, runs: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"figures": fig, "runs": {k: [asdict(m) for m in v]
                                                                           for k, v in runs.items()}}, indent=1))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (out / "results.md").write_text(f"# make bench, {stamp}\n\n```\n" + "\n".join(lines(fig)) + "\n```\n")


if __name__ == "__main__":
    sys.exit(main())
