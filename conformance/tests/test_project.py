"""Project mode: a team's own Django project, which has never heard of the suite (apparatus/shop:
its own settings module, cookie name, cached_db backend and a middleware that writes the session),
started by the suite with the probe around it, on test databases, and judged as probe mode judges
a deployment: clean as it is, failing AGE-01 with a planted defect, and each bad input one line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.project import wrap
from conformance.project.site import Project, ProjectError

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "conformance" / "tests" / "apparatus" / "shop"


def run(tmp_path, *args, env=None):
    report = tmp_path / "conformance.json"
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "-p", "no:cacheprovider",
                           f"--conformance-report={report}", f"--html-report={tmp_path / 'r.html'}", *args],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})})
    return done, (json.loads(report.read_text()) if report.exists() else None)


def test_the_settings_module_is_found_in_manage_py():
    assert Project.locate(SHOP, None).settings == "shop.config"
    assert Project.locate(SHOP, "shop.other").settings == "shop.other"
    assert Project.locate(SHOP, None).requirements == SHOP / "requirements.txt"


@pytest.mark.parametrize("folder, serve, message", [
    ("nowhere", None, "no such folder"),
    (".", None, "give its settings module with --settings MODULE"),
    ("shop", "gunicorn shop.wsgi", "must say where to listen with {host} and {port}"),
])
def test_bad_project_input_is_one_line(tmp_path, folder, serve, message):
    where = {"nowhere": tmp_path / "nowhere", ".": tmp_path, "shop": SHOP}[folder]
    with pytest.raises(ProjectError, match=message.replace("{", r"\{").replace("}", r"\}")):
        Project.locate(where, None, serve)


def test_the_generated_settings_add_the_probe_and_keep_theirs(tmp_path):
    folder = wrap.write(tmp_path, "shop.config")
    text = (folder / f"{wrap.SETTINGS}.py").read_text()
    compile(text, "settings", "exec")
    assert "from shop.config import *" in text and '"conformance.probe"' in text
    assert '"__conformance__/"' in (folder / f"{wrap.URLS}.py").read_text()


def test_a_correct_project_is_clean_and_its_own_database_untouched(tmp_path):
    done, report = run(tmp_path, "--project", str(SHOP))
    wrong = [f"{r['id']} {r['profile']} {r['browser']}: {r['verdict']}: {r['note'] or r['observed']}"
             for r in report["results"] if r["verdict"] in ("fail", "error")]
    assert not wrong and done.returncode == 0, "\n".join(wrong) or done.stdout[-3000:]
    assert {r["profile"] for r in report["results"]} == {
        "site-cached-db-age28800", "site-cached-db-age28800-expiry3s", "site-cached-db-age28800-fixed3s",
        "site-cached-db-age28800-expiry0", "site-cached-db-age28800-expiry3s-async"}
    assert report["summary"]["verdicts"]["pass"] >= 300
    assert "target=project " in done.stdout and "(shop.config)" in done.stdout
    assert not (SHOP / "shop.sqlite3").exists(), "the project's own database was touched"


def test_a_planted_defect_fails_the_right_check(tmp_path):
    done, report = run(tmp_path, "--project", str(SHOP), "--check", "AGE-0*", "--check", "ATTR-*",
                       env={"SHOP_PLANTED_DEFECT": "strip-expiry"})
    failed = {(r["id"], r["browser"]) for r in report["results"] if r["verdict"] == "fail"}
    assert {("AGE-01", "chromium"), ("AGE-01", "firefox")} <= failed
    assert {check for check, _ in failed} <= {"AGE-01", "AGE-02", "AGE-03", "AGE-04"}
    assert done.returncode == 1


def test_a_server_the_user_names_serves_it(tmp_path):
    """One worker process: the shop's cached_db sessions sit in LocMemCache, one per process, so with
    two workers a session logged out in one is still accepted by the other (SRV-02 then fails, when
    the replay reaches the other worker: a real defect of that deployment, not of the suite)."""
    done, report = run(tmp_path, "--project", str(SHOP), "--serve", "gunicorn shop.wsgi -b {host}:{port} --threads 4",
                       "--browser", "chromium", "--check", "AGE-*", "--check", "SRV-0[124]", "--check", "COOKIE-*")
    assert done.returncode == 0, done.stdout[-3000:]
    assert report["summary"]["verdicts"]["pass"] >= 30


@pytest.mark.parametrize("args, message", [
    (["--settings", "shop.nope"], "ERROR: cannot set the project up with its settings shop.nope: "
                                  "ModuleNotFoundError: No module named 'shop.nope'"),
    (["--base-url", "http://127.0.0.1:9/"], "ERROR: --project (from CLI) starts a project; --base-url"),
])
def test_a_project_that_cannot_start_is_one_line_and_exit_4(tmp_path, args, message):
    done, _ = run(tmp_path, "--project", str(SHOP), *args)
    assert done.returncode == 4
    assert message in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_another_djangos_environment_takes_the_projects_requirements_but_its_own_django(tmp_path):
    """Their own Django pin replaced (hashes and all), includes and local paths made absolute, and a
    change in an included file locks the environment again."""
    from conformance.project.environment import extra_for

    (tmp_path / "base.txt").write_text("gunicorn\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("-r base.txt\n# a comment\nDjango==5.2.8 \\\n    --hash=sha256:abc\ndjango-axes==6.5.0\n"
                            "-e ./vendor/lib\n")
    first = extra_for(Project(tmp_path, "x.settings", requirements=requirements))
    lines = first.requirements.splitlines()
    assert lines[:3] == [f"-r {tmp_path / 'base.txt'}", "django-axes==6.5.0", f"-e {tmp_path / 'vendor/lib'}"]
    assert first.name.startswith("project-") and "requirements.txt" in first.source
    (tmp_path / "base.txt").write_text("gunicorn\nuvicorn\n")
    assert extra_for(Project(tmp_path, "x.settings", requirements=requirements)).requirements != first.requirements


def test_uvs_reason_is_one_line_naming_the_requirement():
    from conformance.sites.prepare import _uv_reason

    stderr = ("error: No solution found when resolving dependencies\n  cause: Because django-cms==3.11.0 depends on "
              "django>=2.2,<5.0 and you require django==6.1.*, we can conclude that your requirements and "
              "django-cms==3.11.0 are incompatible.\n  And because you require django-cms==3.11.0, we can conclude "
              "that your requirements are unsatisfiable.\n")
    assert _uv_reason(stderr).startswith("Because django-cms==3.11.0 depends on django>=2.2,<5.0")


def test_the_project_on_two_djangos_is_compared(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance", "matrix", "5.2", "6.1", "--", "--project", str(SHOP),
                           "--browser", "chromium", "--check", "AGE-0[14]", "--check", "SRV-02", "-p",
                           "no:cacheprovider", f"--conformance-report={tmp_path / 'm.json'}",
                           f"--html-report={tmp_path / 'm.html'}"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Django 5.2.19 vs 6.1.3: no verdict and no key observation differs" in done.stdout


def test_a_requirement_another_django_cannot_take_is_one_line(tmp_path):
    import shutil

    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / "requirements.txt").write_text("django-cms==3.11.0\n")
    done, _ = run(tmp_path, "--project", str(project), "--django", "6.1")
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    assert "cannot install the project's requirements" in done.stderr
    assert "Because django-cms==3.11.0 depends on django" in done.stderr and "Traceback" not in done.stderr
