"""--shard K/N and `conformance merge`: a run split over N CI jobs gives, merged, the keys and
verdicts one whole run gives; the parts are checked to be every part of one run, each once."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.checks import families
from conformance.plugin import sharding
from conformance.plugin.state import Planned
from conformance.report.merge import MergeError, check_parts, merge
from conformance.report.results import Report, Result, ResultKey, load

REPO = Path(__file__).resolve().parents[2]


def settings(k, n):
    return SimpleNamespace(shard=(k, n), mode="reference", base_url=None, project=None, browsers=("chromium",),
                           check_patterns=(), djangos=())


PLANNED = tuple(Planned(f"p{i}", None) for i in range(7))


def test_parts_are_disjoint_cover_the_run_and_share_its_id():
    parts = [sharding.part(PLANNED, settings(k, 3)) for k in (1, 2, 3)]
    ids = [p.id for mine, _ in parts for p in mine]
    assert sorted(ids) == sorted(p.id for p in PLANNED) and len(ids) == len(set(ids))
    assert {shard["run"] for _, shard in parts} == {parts[0][1]["run"]}
    assert [len(mine) for mine, _ in parts] == [3, 2, 2]
    assert sharding.part(PLANNED, settings(1, 3)) == parts[0]  # deterministic
    assert sharding.part(PLANNED, settings(1, 2))[1]["run"] != parts[0][1]["run"]  # another split, another run


def report(index, count=2, run="r1", django="5.2.19", verdict="pass"):
    result = Result(ResultKey("AGE-01", f"p{index}", "chromium", django), verdict, family="cookie-age")
    return Report(results=(result,), django=django, started=f"2026-12-04T10:0{index}:00+00:00",
                  finished=f"2026-12-04T10:1{index}:00+00:00", duration_s=10.0 * index,
                  shard={"index": index, "count": count, "run": run, "targets": [f"p{index}"]})


def test_merge_is_one_run_with_its_summary_recomputed():
    [merged] = merge([("a", report(1)), ("b", report(2, verdict="fail"))], families())
    assert [r.key.profile for r in merged.results] == ["p1", "p2"] and not merged.shard
    assert merged.summary["verdicts"]["pass"] == 1 and merged.summary["verdicts"]["fail"] == 1
    assert merged.duration_s == 20.0 and merged.started.startswith("2026-12-04T10:01")
    assert [s["index"] for s in merged.timings["shards"]] == [1, 2]


def cut(index, **shard):
    r = report(index)
    return Report(results=r.results, django=r.django, shard={**r.shard, **shard})


@pytest.mark.parametrize("named, message", [
    ([("a", report(1))], "missing shard 2/2 of run r1"),
    ([("a", report(1)), ("b", cut(2, exitstatus=2))], r"shard 2/2 \(b\) did not finish \(it ended with exit code 2\)"),
    ([("a", report(1)), ("b", cut(2, incomplete=["worker gw1 crashed"]))], "did not finish .worker gw1 crashed"),
    ([("a", report(1)), ("b", cut(2, results=3))], "shard 2/2 made 3 verdicts but its reports given hold 1"),
    ([("a", report(1)), ("b", report(1)), ("c", report(2))], "shard given twice: a and b"),
    ([("a", report(1)), ("b", report(2, run="r2"))], "shards of different runs"),
    ([("a", report(1)), ("b", Report(results=(), django="5.2.19"))], "b is not a shard's report"),
    ([], "give the shards' reports"),
])
def test_not_every_part_of_one_run_is_one_line(named, message):
    with pytest.raises(MergeError, match=message):
        check_parts(named)


def test_a_shard_with_nothing_to_judge_reports_empty_and_passes(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--profile", "age-4s-db", "--browser", "chromium",
                           "--check", "AGE-01", "--shard=2/2", f"--conformance-report={tmp_path / 's2.json'}",
                           f"--html-report={tmp_path / 's2.html'}"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "conformance: shard 2/2 of run " in done.stdout and ": 0 of 1 targets (none)" in done.stdout
    part = load(tmp_path / "s2.json")
    assert part.results == () and part.shard["targets"] == [] and part.shard["exitstatus"] == 0


def test_two_shards_merged_give_the_whole_runs_verdicts(tmp_path):
    args = ["--profile", "age-4s-db", "--profile", "browser-close", "--profile", "default-two-weeks",
            "--browser", "chromium", "--check", "AGE-*", "--check", "CLOSE-01", "--check", "COOKIE-0[14]"]

    def conformance(*more):
        return subprocess.run([sys.executable, "-m", "conformance", *more], cwd=REPO, capture_output=True, text=True)

    for k in (1, 2):
        done = conformance("run", *args, f"--shard={k}/2", f"--conformance-report={tmp_path / f's{k}.json'}",
                           f"--html-report={tmp_path / f's{k}.html'}")
        assert done.returncode == 0, done.stdout[-2000:]
    done = conformance("run", *args, f"--conformance-report={tmp_path / 'whole.json'}",
                       f"--html-report={tmp_path / 'whole.html'}")
    assert done.returncode == 0, done.stdout[-2000:]
    merged = conformance("merge", str(tmp_path / "s1.json"), str(tmp_path / "s2.json"), "-o", str(tmp_path / "m.json"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "exit 0: no check failed or erred" in merged.stdout and (tmp_path / "m.html").exists()
    whole, one = load(tmp_path / "whole.json"), load(tmp_path / "m.json")
    assert {r.key.label(): r.graded for r in one.results} == {r.key.label(): r.graded for r in whole.results}
    alone = conformance("merge", str(tmp_path / "s1.json"), "-o", str(tmp_path / "x.json"))
    assert alone.returncode == 4 and "missing shard 2/2" in alone.stderr
