"""--connect: the browsers come from a Playwright browser server (`playwright run-server`) started
here on loopback, not launched by the suite; the checks and the report are the same, and the real
relaunch (CLOSE-02) is skipped with the reason, as a browser server cannot relaunch a profile."""

import json
import signal
import subprocess
from pathlib import Path

import pytest
from playwright._impl._driver import compute_driver_executable, get_driver_env

from conformance.observe import browsers

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def browser_server():
    """`playwright run-server` on an OS-picked loopback port. --unsafe lets a client name the
    executable and args (needed for system browsers); the node process itself is signalled, so
    its browsers go with it."""
    node, cli = compute_driver_executable()
    process = subprocess.Popen([node, cli, "run-server", "--port", "0", "--host", "127.0.0.1", "--unsafe"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=get_driver_env())
    try:
        line = process.stdout.readline()  # "Listening on ws://127.0.0.1:PORT/"
        if not line.startswith("Listening on "):
            raise RuntimeError(f"playwright run-server did not start: {line.strip()}")
        yield line.split()[-1]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _executables() -> list[str]:
    """The browser server runs on this machine: name the system browsers it should launch
    (none when Playwright's own builds are installed, which it finds by itself)."""
    paths = browsers.playwright_paths()
    out = []
    for name in ("chromium", "firefox"):
        spec = browsers.resolve(name, paths.get(name))
        if spec.source != "playwright":
            out.append(f"--browser-executable={name}={spec.executable}")
    return out


def test_connect_runs_the_checks_on_remote_browsers(pytester, tmp_path, monkeypatch, browser_server):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    report_path = tmp_path / "conformance.json"
    result = pytester.runpytest_subprocess(
        CHECKS, f"--conformance-report={report_path}", "-p", "no:cacheprovider", f"--connect={browser_server}",
        "--profile", "age-4s-db", "--profile", "browser-close", *_executables())
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"conformance: *connect={browser_server} (from CLI)*"])
    report = json.loads(report_path.read_text())
    v = report["summary"]["verdicts"]
    assert v["error"] == 0 and v["fail"] == 0 and v["pass"] >= 40, v
    assert report["summary"]["browsers"] == ["chromium", "firefox"]
    close02 = [r for r in report["results"] if r["id"] == "CLOSE-02" and r["profile"] == "browser-close"]
    assert [r["verdict"] for r in close02] == ["skip", "skip"]
    assert all("--connect" in r["note"] for r in close02)
    assert {r["verdict"] for r in report["results"] if r["id"] == "CLOSE-01" and r["profile"] == "browser-close"} \
        == {"pass"}


def test_unreachable_browser_server_errors_every_check_with_the_reason(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    result = pytester.runpytest_subprocess(
        CHECKS, f"--conformance-report={tmp_path / 'r.json'}", "-p", "no:cacheprovider",
        "--connect=ws://127.0.0.1:9/", "--profile", "default-two-weeks", "--browser", "chromium",
        "--check", "AGE-01")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*chromium did not launch: *"])
