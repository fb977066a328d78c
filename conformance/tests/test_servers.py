"""A correct site is judged clean whatever real server it runs on: the test deployment served by
gunicorn, uvicorn, hypercorn (HTTP/2), daphne, Django's runserver and uvicorn behind nginx, in probe
mode and in black-box mode (apparatus/judged.py), both browsers, every check. Each server keeps its
own clock for the Date header (uvicorn refreshes it once a second), its own threading and its own
HTTP version: none of it may turn into a fail or an error. (`make soak DEPLOY=<server>` repeats one.)"""

import json
import shutil
from pathlib import Path

import pytest

from conformance.tests.apparatus.judged import MODES, judged
from conformance.tests.apparatus.nginx import NGINX
from conformance.tests.apparatus.servers import SERVERS
from conformance.tests.apparatus.suite_env import importable_package  # noqa: F401  (autouse)

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")
pytest_plugins = ["pytester"]
HAS_NGINX = shutil.which("nginx") is not None or Path(NGINX).exists()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("server", [pytest.param(name, marks=pytest.mark.skipif(
    SERVERS[name].behind == "nginx" and not HAS_NGINX, reason="nginx is not installed (make test installs it)"))
    for name in SERVERS])
def test_a_correct_site_is_clean_on_every_server(pytester, tmp_path, monkeypatch, server, mode):
    report = tmp_path / "conformance.json"
    with judged(server, mode) as (args, env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        result = pytester.runpytest_subprocess(CHECKS, "-p", "no:cacheprovider", f"--conformance-report={report}",
                                               f"--html-report={tmp_path / 'r.html'}", *args)
    data = json.loads(report.read_text())
    wrong = [f"{r['id']} {r['profile']} {r['browser']}: {r['verdict']}: {r['note'] or r['observed']}"
             for r in data["results"] if r["verdict"] in ("fail", "error")]
    assert not wrong and result.ret == pytest.ExitCode.OK, "\n".join(wrong) or result.stdout.str()[-3000:]
    verdicts = data["summary"]["verdicts"]
    assert verdicts["pass"] >= (150 if mode == "probe" else 40), verdicts
    result.stdout.fnmatch_lines(["exit 0: no check failed or erred*"])
