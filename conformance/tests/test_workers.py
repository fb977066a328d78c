"""pytest-xdist workers: each gets whole browsers, and the controller writes one report with
every worker's verdicts."""

import json
import re
from pathlib import Path

import pytest

from conformance.plugin.xdist import browser_scope

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")

pytest_plugins = ["pytester"]


def test_scope_is_the_browser_from_the_check_id():
    browsers = ("chromium", "firefox")
    assert browser_scope("conformance/checks/test_cookie_age.py::test_x[age-4s-db-chromium]", browsers) == "chromium"
    assert browser_scope("conformance/checks/test_cookie_age.py::test_x[site-db-age3-expiry0-firefox]",
                         browsers) == "firefox"
    assert browser_scope("conformance/tests/test_observe.py::test_y", browsers) == \
        "conformance/tests/test_observe.py::test_y"


def test_two_workers_one_report(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    report_path = tmp_path / "conformance.json"
    result = pytester.runpytest_subprocess(CHECKS, f"--conformance-report={report_path}", "-p", "no:cacheprovider",
                                           "-n", "2", "--profile", "age-4s-db", "--profile", "browser-close")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    items = int(re.search(r"2 workers \[(\d+) items\]", result.stdout.str()).group(1))
    result.stdout.fnmatch_lines(["*session conformance*", f"{items} verdicts: * 0 error"])
    report = json.loads(report_path.read_text())
    # Every item any worker ran is in the one report.
    assert report["summary"]["total"] == items and report["summary"]["verdicts"]["error"] == 0
    assert report["summary"]["browsers"] == ["chromium", "firefox"] and report["django"] != "unknown"
    # One browser per worker: each worker's timings name only one.
    workers = {key.split(".")[0]: key.split(".")[1] for key in report["timings"] if key.count(".") == 2}
    assert sorted(workers.values()) == ["chromium", "firefox"], report["timings"]
