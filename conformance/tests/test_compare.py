"""Comparing reports (a baseline and a run, or one run on several Django versions): what counts as
a regression, a fix, a skip that came or went, an observation that changed under the same
verdict; the gate; and the one line for reports that cannot be compared. Pure, on hand-made
results; the `conformance diff` command's exit codes and messages through a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.report import compare
from conformance.report.results import Report, Result, ResultKey

REPO = Path(__file__).resolve().parents[2]


def res(check, verdict, profile="age-4s-db", browser="chromium", django="5.2.19", known=None, fixed=None, **facts):
    return Result(key=ResultKey(check, profile, browser, django), verdict=verdict, family="f", known=known,
                  known_fixed=fixed, facts=facts)


def report(*results, django="5.2.19"):
    return Report(results=tuple(results), django=django, started="2026-11-30T10:00:00+00:00")


@pytest.mark.parametrize("old, new, kind", [
    (res("A-01", "pass"), res("A-01", "fail"), "regression"),
    (res("A-01", "caveat"), res("A-01", "error"), "regression"),
    (res("A-01", "skip"), res("A-01", "fail"), "regression"),
    (None, res("A-01", "fail"), "regression"),  # a new check that fails is news
    (res("A-01", "fail"), res("A-01", "pass"), "fix"),
    (res("A-01", "fail", known="k"), res("A-01", "pass"), "fix"),
    (res("A-01", "pass"), res("A-01", "skip"), "became-skip"),
    (res("A-01", "skip"), res("A-01", "pass"), "no-longer-skip"),
    (res("A-01", "pass"), res("A-01", "caveat"), "verdict"),
    (res("A-01", "fail", known="k"), res("A-01", "fail"), "verdict"),  # known no more: still failing
    (res("A-01", "fail"), res("A-01", "fail", known="k"), "verdict"),
    (res("A-01", "pass", max_age=4), res("A-01", "pass", max_age=1209600), "observation"),
    (res("A-01", "pass", max_age=4), res("A-01", "pass", max_age=4), None),
    (None, res("A-01", "pass"), "new"),
    (res("A-01", "pass"), None, "gone"),
    (res("A-01", "pass"), res("A-01", "pass", fixed="k"), "verdict"),
])
def test_classify(old, new, kind):
    assert compare.classify(old, new) == kind


def test_known_defects_and_caveats_never_regress():
    d = compare.diff(report(res("A-01", "fail", known="k"), res("A-02", "pass")),
                     report(res("A-01", "fail", known="k"), res("A-02", "caveat")))
    assert not d.regressions and not d.fails("regressions") and d.fails("changes")


def test_diff_names_changed_observations_side_by_side():
    d = compare.diff(report(res("AGE-01", "pass", max_age=4, persistent=True)),
                     report(res("AGE-01", "pass", max_age=5, persistent=True)))
    (change,) = d.changes
    assert change.kind == "observation" and change.facts == {"max_age": (4, 5)}
    assert change.line() == "AGE-01 age-4s-db chromium: pass -> pass (max_age: 4 -> 5)"
    assert not d.fails("changes") and not d.fails("regressions")


def test_diff_pairs_results_across_django_versions():
    d = compare.diff(report(res("A-01", "pass", django="5.2.19"), django="5.2.19"),
                     report(res("A-01", "fail", django="6.1.3"), django="6.1.3"))
    assert [c.kind for c in d.changes] == ["regression"] and d.compared == 1
    assert compare.lines(d)[0].startswith("compared with baseline (Django 5.2.19) -> this run (Django 6.1.3): "
                                          "1 results, 1 regression")


def test_a_narrower_run_is_compared_within_what_it_ran():
    old = report(res("A-01", "pass"), res("A-02", "pass"), res("A-01", "pass", profile="other"),
                 res("A-01", "pass", browser="firefox"))
    d = compare.diff(old, report(res("A-01", "pass")))
    assert d.changes == () and d.compared == 1
    assert compare.lines(d)[0].endswith("1 results, nothing changed")


def test_profiles_the_baseline_never_ran_are_one_line():
    with pytest.raises(compare.CompareError) as info:
        compare.diff(report(res("A-01", "pass")), report(res("A-01", "pass", profile="set-expiry-zero")))
    text = str(info.value)
    assert "\n" not in text
    assert "has no results for the profiles set-expiry-zero of this run; it has age-4s-db" in text


def test_across_versions_names_only_what_differs():
    a = report(res("A-01", "pass", django="4.2", max_age=4), res("A-02", "pass", django="4.2"), django="4.2")
    b = report(res("A-01", "pass", django="6.1", max_age=5), res("A-02", "pass", django="6.1"), django="6.1")
    rows = compare.across_versions([a, b])
    assert [(r.key, r.facts) for r in rows] == [(("A-01", "age-4s-db", "chromium"), ("max_age",))]
    lines = compare.version_lines([a, b], rows)
    assert lines[1] == "  A-01 age-4s-db chromium | 4.2: pass max_age=4 | 6.1: pass max_age=5"
    same = compare.version_lines([a, a], compare.across_versions([a, a]))
    assert same == ["Django 4.2 vs 4.2: no verdict and no key observation differs (2 results each)"]


def test_across_versions_names_the_known_defect_behind_a_difference():
    """A CVE fixed in the later release is why the matrix differs: the line names it."""
    cve = "CVE-2026-35192: with SESSION_SAVE_EVERY_REQUEST = True, SessionMiddleware re-sends the cookie"
    a = report(res("CACHE-03", "fail", django="5.2.13", known=cve), res("CACHE-05", "fail", django="5.2.13", known=cve),
               django="5.2.13")
    b = report(res("CACHE-03", "pass", django="6.1.3"), res("CACHE-05", "pass", django="6.1.3"), django="6.1.3")
    lines = compare.version_lines([a, b], compare.across_versions([a, b]))
    assert lines[-1] == f"  known Django defect on 5.2.13 only: {cve} [CACHE-03, CACHE-05]"


def _conformance(*args):
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=REPO, capture_output=True, text=True)


def test_diff_command_gates_on_regressions(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(report(res("A-01", "pass"), res("A-02", "fail", known="k")).to_json()))
    new.write_text(json.dumps(report(res("A-01", "fail"), res("A-02", "fail", known="k")).to_json()))
    done = _conformance("diff", str(old), str(new), "--gate", "regressions", "--json", str(tmp_path / "d.json"),
                        "--html", str(tmp_path / "d.html"))
    assert done.returncode == 1, done.stderr
    assert "  REGRESSION: A-01 age-4s-db chromium: pass -> fail" in done.stdout.splitlines()
    assert json.loads((tmp_path / "d.json").read_text())["counts"]["regression"] == 1
    assert "REGRESSION" in (tmp_path / "d.html").read_text()
    assert _conformance("diff", str(old), str(old), "--gate", "regressions").returncode == 0
    assert _conformance("diff", str(old), str(new)).returncode == 0  # no gate: informational


@pytest.mark.parametrize("args, message", [
    (["diff", "missing.json", "missing.json"], "ERROR: missing.json: no such report"),
    (["matrix", "5.2"], "ERROR: conformance matrix needs two or more Django versions*"),
    (["matrix", "5.2", "banana"], "ERROR: --django 'banana': give a release line such as 5.2*"),
    (["matrix", "3.2", "5.2"], "ERROR: --django 3.2: Django 3.2 is out of support*"),
])
def test_bad_input_is_one_line_and_exit_4(args, message):
    done = _conformance(*args)
    assert done.returncode == 4
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    import fnmatch
    assert fnmatch.fnmatch(lines[0], message), lines[0]
