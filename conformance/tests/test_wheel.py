"""The package as a user meets it: the wheel carries everything a run needs (the reference site,
the known defects, the coverage data, the examples, each Django line's lock) and not the project's
tests; `conformance run` brings the suite's own pytest configuration, the same as the clone's
pytest.ini, and works from any folder. (The end-to-end check, a fresh virtualenv with the wheel
and its [suite] extra running the suite in an empty folder, is too slow for `make test` and is
run by hand.)"""

import ast
import configparser
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conformance.cli import SUITE_MODULES, commands, main

REPO = Path(__file__).resolve().parents[2]


def _options(path: Path) -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return {key: " ".join(value.split()) for key, value in parser["pytest"].items()}


def test_conformance_run_and_the_clone_share_one_configuration():
    clone, packaged = _options(REPO / "pytest.ini"), _options(commands.SUITE_INI)
    assert clone.pop("testpaths") == "conformance/checks" and "testpaths" not in packaged
    assert packaged == clone, "conformance/cli/suite.ini and pytest.ini differ: change both"


def test_conformance_run_passes_its_configuration_and_the_callers_arguments_last(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(pytest, "main", lambda args: seen.append(args) or 0)
    monkeypatch.chdir(tmp_path)
    assert commands.run(["--profile", "age-4s-db", "--rootdir=/elsewhere"]) == 0
    args = seen[0]
    assert args[:2] == ["-c", str(commands.SUITE_INI)] and f"--rootdir={tmp_path}" in args
    assert args[-3:] == ["--profile", "age-4s-db", "--rootdir=/elsewhere"]  # pytest takes the last


def test_conformance_run_works_from_any_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--collect-only", "--profile",
                           "age-4s-db", "--browser", "chromium"], cwd=tmp_path, capture_output=True, text=True)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert f"report={tmp_path / 'reports' / 'conformance.json'} (from default)" in out
    assert f"rootdir: {tmp_path}" in out and "configfile: " in out and "suite.ini" in out
    assert "warning" not in out.lower() and " tests collected" in out


def test_a_run_without_the_suites_packages_says_what_to_install(monkeypatch, capsys):
    """`pip install django-session-conformance` alone (the probe app) then `conformance run`: one
    line naming the extra, exit 4, no traceback."""
    def run(args):
        raise ModuleNotFoundError("No module named 'pytest'", name="pytest")
    monkeypatch.setitem(commands.COMMANDS, "run", run)
    assert main(["run"]) == commands.USAGE_ERROR
    assert capsys.readouterr().err == ("ERROR: conformance run needs the suite's own packages, and pytest is not "
                                       "installed: pip install 'django-session-conformance[suite]'\n")


def test_a_missing_module_of_another_kind_is_not_hidden(monkeypatch):
    def run(args):
        raise ModuleNotFoundError("No module named 'shop'", name="shop")
    monkeypatch.setitem(commands.COMMANDS, "run", run)
    with pytest.raises(ModuleNotFoundError):
        main(["run"])


def test_the_suites_modules_are_what_its_extra_installs():
    """SUITE_MODULES (the missing modules that mean "install the [suite] extra") against
    pyproject's extra, as this venv installed it: a distribution's name is not its module's
    (pytest-xdist is xdist), so the names are kept by hand and checked here."""
    norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["suite"]
    wanted = {norm(re.split(r"[<>=!~\[ ;]", requirement)[0]) for requirement in extra}
    installs = {module for module, dists in importlib.metadata.packages_distributions().items()
                if any(norm(d) in wanted for d in dists)}
    imported = set()
    for folder in ("conformance", "target_site"):
        for path in (REPO / folder).rglob("*.py"):
            if "tests" not in path.relative_to(REPO).parts:
                for node in ast.walk(ast.parse(path.read_text())):
                    if isinstance(node, ast.Import):
                        imported |= {alias.name.split(".")[0] for alias in node.names}
                    elif isinstance(node, ast.ImportFrom) and node.level == 0:
                        imported.add(node.module.split(".")[0])
    assert SUITE_MODULES <= installs, f"not installed by [suite]: {sorted(SUITE_MODULES - installs)}"
    assert imported & installs <= SUITE_MODULES, f"imported, from [suite], missing: {sorted(imported & installs - SUITE_MODULES)}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel` builds from what the clone holds (built from a copy: the build leaves
    build/ and *.egg-info beside the sources)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("conformance", "target_site"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "-w", str(out), str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (found,) = out.glob("django_session_conformance-*.whl")
    return found


def test_the_wheel_carries_what_a_run_needs_and_not_the_tests(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {"target_site/serve.py", "target_site/settings.py", "target_site/urls.py", "target_site/pages/views.py",
              "conformance/expectations.toml", "conformance/judge/coverage.toml", "conformance/cli/suite.ini",
              "conformance/probe/views.py", "conformance/checks/test_cookie_age.py"}
    needed |= {f"conformance/examples/{p.name}" for p in (REPO / "conformance" / "examples").glob("*.toml")}
    locks = sorted((REPO / "conformance" / "sites" / "locks").glob("site-django-*"))
    assert len(locks) >= 12
    needed |= {f"conformance/sites/locks/{p.name}" for p in locks}
    assert needed <= names, sorted(needed - names)
    assert not [n for n in names if n.startswith("conformance/tests")]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "Provides-Extra: suite" in metadata and "Requires-Dist: uvicorn" in metadata
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/entry_points.txt"))).decode()
    assert "conformance = conformance.cli:main" in entry_points
