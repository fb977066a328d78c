"""Site environments: which Django a spec means, which Python runs it, how a site starts inside a
Debian root; and, end to end, the reference site on Django 4.2 (a virtualenv with this machine's
Python) and 6.1 (Python 3.13 inside a Debian 13 root on Debian 12) in one run, compared."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.sites import environment
from conformance.sites.root import DebianRoot, why_not
from conformance.sites.spec import DjangoSpec, SpecError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, line, exact, name, requirement", [
    ("5.2", "5.2", None, "django-5.2", "Django==5.2.*"),
    (" 6.1 ", "6.1", None, "django-6.1", "Django==6.1.*"),
    ("5.2.8", "5.2", "5.2.8", "django-5.2.8", "Django==5.2.8"),
    ("4.2.30", "4.2", "4.2.30", "django-4.2.30", "Django==4.2.30"),
])
def test_spec(text, line, exact, name, requirement):
    spec = DjangoSpec.parse(text)
    assert (spec.line, spec.exact, spec.name, spec.requirement) == (line, exact, name, requirement)


@pytest.mark.parametrize("text, message", [
    ("six", "give a release line such as 5.2"), ("5", "give a release line"), ("5.2.x", "give a release line"),
    ("3.2", "Django 3.2 is out of support; the oldest line this suite runs is 4.2"),
])
def test_bad_spec_is_one_line(text, message):
    with pytest.raises(SpecError, match=message) as info:
        DjangoSpec.parse(text)
    assert "\n" not in str(info.value)


def test_pythons_per_line():
    assert DjangoSpec.parse("4.2").pythons() == ((3, 8), (3, 12))
    assert DjangoSpec.parse("6.1").pythons()[0] == (3, 12)
    assert DjangoSpec.parse("7.0").pythons() == ((3, 12), (3, 99))  # newer than the table: at least the newest's


def test_every_line_is_locked():
    for line in ("4.2", "5.0", "5.1", "5.2", "6.0", "6.1"):
        lock = (REPO / "conformance" / "sites" / "locks" / f"site-django-{line}.txt").read_text()
        assert f"django=={line}." in lock and "--hash=sha256:" in lock


def test_in_a_clone_sites_and_code_are_the_clones(monkeypatch):
    monkeypatch.delenv("CONFORMANCE_HOME", raising=False)
    assert environment.clone_root() == REPO and environment.sites_home() == REPO / ".sites"
    assert environment.code_root() == REPO and environment.site_binds() == (REPO,)
    argv, env = environment.runner().popen(["-m", "target_site.serve"], {})
    assert env["PYTHONPATH"] == str(REPO)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The package as a wheel installs it: site-packages holding conformance and target_site beside
    the runner's other packages, no pyproject.toml."""
    site_packages = tmp_path / "site-packages"
    for path in ("conformance/__init__.py", "conformance/probe/__init__.py", "conformance/sites/locks/x.txt",
                 "target_site/__init__.py", "target_site/settings.py", "django/__init__.py"):
        (site_packages / path).parent.mkdir(parents=True, exist_ok=True)
        (site_packages / path).write_text(f"# {path}\n")
    monkeypatch.setattr(environment, "PACKAGE_PARENT", site_packages)
    environment.code_root.cache_clear()
    yield site_packages
    environment.code_root.cache_clear()


def test_installed_sites_live_in_a_per_user_folder(installed, tmp_path, monkeypatch):
    monkeypatch.delenv("CONFORMANCE_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert environment.clone_root() is None
    assert environment.sites_home() == tmp_path / "cache" / "django-session-conformance"
    monkeypatch.setenv("CONFORMANCE_HOME", str(tmp_path / "home"))
    assert environment.sites_home() == tmp_path / "home"


def test_installed_a_site_imports_a_copy_of_the_code_not_site_packages(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_HOME", str(tmp_path / "home"))
    code = environment.code_root()
    assert code.parent == tmp_path / "home" and code.name.startswith("code-")
    assert (code / "conformance" / "probe" / "__init__.py").exists() and (code / "target_site" / "settings.py").exists()
    assert not (code / "django").exists()  # the runner's Django would shadow the site environment's
    argv, env = environment.runner().popen(["-m", "target_site.serve"], {})
    assert env["PYTHONPATH"] == str(code) and str(installed) not in env["PYTHONPATH"]
    assert environment.site_binds() == (code, tmp_path / "home")
    # Once per installed version: the same code, the same copy; other code, another.
    environment.code_root.cache_clear()
    assert environment.code_root() == code
    (installed / "target_site" / "settings.py").write_text("# changed\n")
    environment.code_root.cache_clear()
    assert environment.code_root() != code and sorted(p.name for p in (tmp_path / "home").iterdir()) == \
        sorted([code.name, environment.code_root().name])


def test_a_site_in_the_root_sees_the_clone_and_its_folder_at_the_same_paths(tmp_path):
    argv = DebianRoot(tmp_path / "root").command(["/x/bin/python", "-m", "target_site.serve"], {"A": "1"},
                                                 (REPO, tmp_path / "work"))
    assert argv[:5] == ["unshare", "--mount", "--propagation", "private", "--"]
    script = argv[7]
    assert f'mount --bind {REPO} "$root"{REPO}' in script and f'mount --bind {tmp_path / "work"}' in script
    assert script.endswith('exec chroot "$root" "$@"') and argv[9] == str(tmp_path / "root")
    # Nothing of the host's environment goes in: env -i, then only the site's and the root's basics.
    inside = argv[10:]
    assert inside[:2] == ["/usr/bin/env", "-i"] and "A=1" in inside
    assert "PIP_CERT=/etc/ssl/certs/ca-certificates.crt" in inside
    assert inside[-3:] == ["/x/bin/python", "-m", "target_site.serve"] and str(REPO) in inside


def test_the_report_names_the_django_of_each_run_and_links_its_docs(tmp_path):
    """The whole flow on two Django versions: environments made on first use (4.2 with this
    machine's Python; 6.1, which needs 3.12+, in a Debian 13 root when the machine lacks one),
    one run, a report each, the comparison, doc links per version."""
    if sys.version_info < (3, 12) and shutil.which("python3.12") is None and shutil.which("python3.13") is None:
        problem = why_not("3.12 to 3.14")
        if problem:
            pytest.skip(f"Django 6.1 cannot run here: {problem}")
    report = tmp_path / "matrix.json"
    done = subprocess.run([sys.executable, "-m", "conformance", "matrix", "4.2", "6.1", "--", "-q",
                           "-p", "no:cacheprovider", "--profile", "age-4s-db", "--profile", "set-expiry-int-file",
                           "--browser", "chromium", f"--conformance-report={report}",
                           f"--html-report={tmp_path / 'matrix.html'}"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "across Django versions" in done.stdout
    written = sorted(p.name for p in tmp_path.glob("matrix.*"))
    versions = json.loads((tmp_path / "matrix.versions.json").read_text())
    assert [v.split(".")[:2] for v in versions["versions"]] == [["4", "2"], ["6", "1"]]
    # Known file-backend defects hold on both (expectations.toml names >=4.2): nothing differs.
    assert versions["differing"] == 0, versions
    for version in versions["versions"]:
        data = json.loads((tmp_path / f"matrix.django-{version}.json").read_text())
        assert data["django"] == version and data["target"]["site"]["django"] == version
        assert {r["django"] for r in data["results"]} == {version}
        series = ".".join(version.split(".")[:2])
        # Django's docs of that version, else a standard (OWASP, the HTTP caching RFC)
        assert all(r["doc"].startswith((f"https://docs.djangoproject.com/en/{series}/", "https://cheatsheetseries",
                                        "https://owasp.org/", "https://www.rfc-editor.org/"))
                   for r in data["results"]), {r["doc"] for r in data["results"]}
    assert "matrix.html" in written
    assert "debian-trixie" in json.dumps(json.loads((tmp_path / f"matrix.django-{versions['versions'][1]}.json")
                                                    .read_text())["target"]["site"]) or sys.version_info >= (3, 12)
