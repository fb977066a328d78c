"""Unit tests for conformance.config (the options table, precedence, errors) and
conformance.judge.expectations (TOML)."""

import fnmatch
import importlib
import pkgutil
from pathlib import Path

import pytest

import conformance.checks
from conformance.config.options import OPTIONS
from conformance.config.settings import DEFAULT_BROWSERS, Settings, SettingsError, resolve
from conformance.judge import expectations
from conformance.judge.expectations import ExpectationsError, Known
from conformance.targets import profiles

ROOT = Path("/some/root")
NO_CLI = {"profiles": [], "checks": [], "browsers": [], "executables": [], "report": None,
          "expectations": None}
NO_INI = {"profiles": "", "checks": "", "browsers": "", "report": "", "expectations": ""}
SHIPPED = Path(__file__).resolve().parents[1] / "expectations.toml"


def res(cli=None, ini=None, env=None, rootdir=ROOT):
    return resolve(cli={**NO_CLI, **(cli or {})}, ini={**NO_INI, **(ini or {})}, env=env or {},
                   rootdir=rootdir)


# --- settings.resolve ------------------------------------------------------------------------


def test_defaults():
    s = res()
    assert s.profiles == profiles.PROFILES
    assert s.check_patterns == ()
    assert s.browsers == DEFAULT_BROWSERS == ("chromium", "firefox")
    assert s.executables == {}
    assert s.report_path == ROOT / "reports/conformance.json"
    assert s.expectations_path == SHIPPED  # the package's own, wherever it is installed
    assert s.sources == {o.key: "default" for o in OPTIONS}
    assert s.base_url is None and s.site is None and s.context_args == {} and s.mode == "reference"


def test_cli_beats_env_beats_ini():
    s = res(cli={"profiles": ["browser-close"], "checks": ["AGE-*"], "browsers": ["webkit"],
                 "report": "cli.json", "expectations": "cli.toml"},
            env={"CONFORMANCE_PROFILES": "set-expiry-zero", "CONFORMANCE_CHECKS": "REN-*",
                 "CONFORMANCE_BROWSERS": "firefox", "CONFORMANCE_REPORT": "env.json",
                 "CONFORMANCE_EXPECTATIONS": "env.toml"},
            ini={"profiles": "samesite-off", "checks": "SRV-*", "browsers": "chromium",
                 "report": "ini.json", "expectations": "ini.toml"})
    assert [p.name for p in s.profiles] == ["browser-close"]
    assert s.check_patterns == ("AGE-*",)
    assert s.browsers == ("webkit",)
    assert s.report_path == ROOT / "cli.json"
    assert s.expectations_path == ROOT / "cli.toml"
    assert all(s.sources[k] == "CLI" for k in ("profiles", "checks", "browsers", "report", "expectations"))


def test_env_beats_ini():
    s = res(env={"CONFORMANCE_PROFILES": "set-expiry-zero, browser-close", "CONFORMANCE_CHECKS": "REN-*",
                 "CONFORMANCE_BROWSERS": "firefox", "CONFORMANCE_REPORT": "env.json",
                 "CONFORMANCE_EXPECTATIONS": "env.toml",
                 "CONFORMANCE_BROWSER_EXECUTABLE": "firefox=/opt/ff"},
            ini={"profiles": "samesite-off", "checks": "SRV-*", "browsers": "chromium",
                 "report": "ini.json", "expectations": "ini.toml"})
    assert [p.name for p in s.profiles] == ["set-expiry-zero", "browser-close"]
    assert s.check_patterns == ("REN-*",)
    assert s.browsers == ("firefox",)
    assert s.executables == {"firefox": "/opt/ff"}
    assert s.report_path == ROOT / "env.json"
    assert s.expectations_path == ROOT / "env.toml"
    assert s.sources == {**{o.key: "default" for o in OPTIONS},
                         "profiles": "env CONFORMANCE_PROFILES", "checks": "env CONFORMANCE_CHECKS",
                         "browsers": "env CONFORMANCE_BROWSERS",
                         "executables": "env CONFORMANCE_BROWSER_EXECUTABLE",
                         "report": "env CONFORMANCE_REPORT", "expectations": "env CONFORMANCE_EXPECTATIONS"}


def test_ini_beats_default_and_splits_lines_and_commas():
    s = res(ini={"profiles": "samesite-off\nbrowser-close,", "checks": "SRV-*, AGE-01",
                 "browsers": "chromium\nwebkit", "report": "ini.json", "expectations": "ini.toml"})
    assert [p.name for p in s.profiles] == ["samesite-off", "browser-close"]
    assert s.check_patterns == ("SRV-*", "AGE-01")
    assert s.browsers == ("chromium", "webkit")
    assert s.report_path == ROOT / "ini.json"
    assert s.sources["profiles"] == s.sources["checks"] == s.sources["browsers"] == "ini"
    assert s.sources["executables"] == "default"


def test_empty_env_value_falls_through_to_ini():
    s = res(env={"CONFORMANCE_BROWSERS": ""}, ini={"browsers": "webkit"})
    assert s.browsers == ("webkit",) and s.sources["browsers"] == "ini"


def test_unrelated_env_is_ignored():
    s = res(env={"PATH": "/bin", "CONFORMANCE_UNKNOWN": "x"})
    assert s.sources["profiles"] == "default"


def test_absolute_paths_kept():
    s = res(cli={"report": "/abs/r.json", "expectations": "/abs/e.toml"})
    assert s.report_path == Path("/abs/r.json")
    assert s.expectations_path == Path("/abs/e.toml")


def test_duplicate_browsers_collapse_in_order():
    assert res(cli={"browsers": ["firefox", "chromium", "firefox"]}).browsers == ("firefox", "chromium")


def test_duplicate_profiles_collapse():
    s = res(cli={"profiles": ["default-two-weeks", "default-two-weeks"]})
    assert [p.name for p in s.profiles] == ["default-two-weeks"]


def test_executables_from_cli():
    s = res(cli={"executables": ["firefox=/usr/bin/firefox-esr", "chromium=/opt/c=d"]})
    assert s.executables == {"firefox": "/usr/bin/firefox-esr", "chromium": "/opt/c=d"}
    assert s.sources["executables"] == "CLI"


def test_executables_have_no_ini_source():
    s = res(ini={"executables": "firefox=/x"})
    assert s.executables == {} and s.sources["executables"] == "default"


def test_unknown_profile():
    with pytest.raises(SettingsError) as exc:
        res(cli={"profiles": ["nope", "browser-close", "also-bad"]})
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith("unknown profile nope, also-bad (from CLI); known profiles: ")
    assert all(p.name in text for p in profiles.PROFILES)


def test_unknown_profile_names_env_source():
    with pytest.raises(SettingsError, match=r"^unknown profile nope \(from env CONFORMANCE_PROFILES\)"):
        res(env={"CONFORMANCE_PROFILES": "nope"})


def test_unknown_browser():
    with pytest.raises(SettingsError) as exc:
        res(ini={"browsers": "chromium, safari, edge"})
    text = str(exc.value)
    assert "\n" not in text
    assert text == "unknown browser safari, edge (from ini); choose from chromium, firefox, webkit"


@pytest.mark.parametrize("item", ["firefox", "safari=/x", "firefox=", "=/x", "firefox:/x"])
def test_bad_browser_executable(item):
    with pytest.raises(SettingsError) as exc:
        res(cli={"executables": [item]})
    text = str(exc.value)
    assert "\n" not in text
    assert text == ("--browser-executable takes NAME=PATH with NAME one of chromium, firefox, webkit; "
                    f"got {item!r}")


def test_settings_selects():
    s = res(cli={"checks": ["AGE-0[12]", "REN-*"]})
    assert s.selects("AGE-01") and s.selects("AGE-02") and s.selects("REN-05")
    assert not s.selects("AGE-03")
    assert not s.selects("age-01")  # case-sensitive
    assert not s.selects("SRV-01")


def test_settings_selects_all_without_patterns():
    s = Settings(profiles=(), check_patterns=(), browsers=(), executables={}, report_path=Path("r"),
                 expectations_path=Path("e"))
    assert s.selects("ANY-99")


def test_header_names_sources():
    s = res(cli={"profiles": ["browser-close"]}, env={"CONFORMANCE_BROWSERS": "firefox"})
    assert s.header() == ("conformance: profiles=browser-close (from CLI), target=spawned target_site, "
                          "browsers=firefox (from env CONFORMANCE_BROWSERS), checks=all (from default), "
                          "report=/some/root/reports/conformance.json (from default)")
    assert f"profiles={len(profiles.PROFILES)} profiles (from default)" in res().header()


# --- expectations ----------------------------------------------------------------------------

VALID = '''
[[known]]
check = "SRV-01"
profile = "set-expiry-int-file"
django = ">=5.2"
reason = """Line one
  continues   here."""
reproduction = """
code here
"""

[[known]]
check = "REN-0[25]"
profile = "*-file"
browser = "firefox"
django = "*"
reason = "r"
reproduction = "x"
'''


def write(tmp_path, text):
    path = tmp_path / "e.toml"
    path.write_text(text)
    return path


def test_load_valid(tmp_path):
    known = expectations.load(write(tmp_path, VALID))
    assert known == (
        Known("SRV-01", "set-expiry-int-file", "*", "Line one continues here.", "code here", (">=5.2",)),
        Known("REN-0[25]", "*-file", "firefox", "r", "x", ()),
    )


def test_load_missing_file_is_empty(tmp_path):
    assert expectations.load(tmp_path / "absent.toml") == ()


def test_load_empty_file(tmp_path):
    assert expectations.load(write(tmp_path, "")) == ()


@pytest.mark.parametrize("body, missing", [
    ('check = "A-01"\nprofile = "p"\ndjango = "*"\nreason = "r"', "reproduction"),
    ('profile = "p"\ndjango = "*"\nreason = "r"\nreproduction = "x"', "check"),
    ('check = "A-01"\nprofile = ""\ndjango = "*"\nreason = "r"\nreproduction = "x"', "profile"),
    ('check = "A-01"\nprofile = "p"\nreason = "r"\nreproduction = "x"', "django"),
    ('check = "A-01"', "profile, django, reason, reproduction"),
], ids=["no-reproduction", "no-check", "empty-profile", "no-django", "only-check"])
def test_load_missing_fields(tmp_path, body, missing):
    text = ('[[known]]\ncheck = "OK-01"\nprofile = "p"\ndjango = "*"\nreason = "r"\nreproduction = "x"\n\n'
            '[[known]]\n' + body)
    path = write(tmp_path, text)
    with pytest.raises(ExpectationsError) as exc:
        expectations.load(path)
    assert str(exc.value) == f"{path}: [[known]] entry 2 lacks {missing}"


def test_load_invalid_toml(tmp_path):
    path = write(tmp_path, "[[known]\ncheck = ")
    with pytest.raises(ExpectationsError) as exc:
        expectations.load(path)
    assert str(exc.value).startswith(f"{path}: not valid TOML: ")
    assert exc.value.__suppress_context__ is True


def test_find_glob_matching():
    known = (Known("REN-0[25]", "*-file", "firefox", "a", "x"), Known("SRV-*", "*", "*", "b", "x"),
             Known("AGE-01", "default-two-weeks", "*", "c", "x"))
    assert expectations.find(known, "REN-02", "age-4s-file", "firefox").reason == "a"
    assert expectations.find(known, "REN-05", "set-expiry-int-file", "firefox").reason == "a"
    assert expectations.find(known, "REN-03", "age-4s-file", "firefox") is None
    assert expectations.find(known, "REN-02", "age-4s-file", "chromium") is None
    assert expectations.find(known, "REN-02", "age-4s-db", "firefox") is None
    assert expectations.find(known, "SRV-04", "anything", "webkit").reason == "b"
    assert expectations.find(known, "AGE-01", "default-two-weeks", "chromium").reason == "c"
    assert expectations.find(known, "AGE-01", "default-two-weeks-x", "chromium") is None
    assert expectations.find((), "AGE-01", "p", "b") is None


def test_bad_django_specifier(tmp_path):
    path = write(tmp_path, '[[known]]\ncheck = "A-01"\nprofile = "p"\ndjango = "5.2"\nreason = "r"\nreproduction = "x"')
    with pytest.raises(ExpectationsError, match=r"django = '5.2' is not a version specifier"):
        expectations.load(path)


def test_find_matches_the_django_version():
    known = (Known("SRV-04", "age-4s-file", "*", "floors", "x", (">=5.0,<6.1",)),)
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "5.2.19").reason == "floors"
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "6.0") is not None
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "6.1.0") is None
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "4.2.27") is None
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "6.1a1") is None
    assert expectations.find(known, "SRV-04", "age-4s-file", "chromium", "unknown") is None
    every = (Known("SRV-04", "*", "*", "all", "x", ()),)
    two_lines = (Known("CACHE-03", "*", "*", "vary", "x", ("<5.2.14", ">=6.0,<6.0.5")),)
    assert [bool(expectations.find(two_lines, "CACHE-03", "p", "b", v)) for v in ("4.2.30", "5.2.13", "5.2.14",
                                                                                   "6.0.4", "6.0.5", "6.1.3")] == \
        [True, True, False, True, False, False]
    assert expectations.find(every, "SRV-04", "p", "b", "unknown").reason == "all"


def test_find_first_match_wins():
    known = (Known("SRV-*", "*", "*", "first", "x"), Known("SRV-01", "*", "*", "second", "x"))
    assert expectations.find(known, "SRV-01", "p", "b").reason == "first"


def _check_ids():
    ids = set()
    for info in pkgutil.iter_modules(conformance.checks.__path__):
        module = importlib.import_module(f"conformance.checks.{info.name}")
        for value in vars(module).values():
            meta = getattr(value, "conformance_check", None)
            if meta is not None:
                ids.add(meta.id)
    return ids


def test_shipped_expectations_load_and_name_real_things():
    known = expectations.load(SHIPPED)
    assert len(known) >= 1
    ids = _check_ids()
    for entry in known:
        assert any(fnmatch.fnmatchcase(name, entry.profile) for name in profiles.BY_NAME), entry
        assert any(fnmatch.fnmatchcase(i, entry.check) for i in ids), entry
        assert entry.browser == "*" or entry.browser in ("chromium", "firefox", "webkit"), entry
        assert entry.reason and entry.reproduction and entry.django
        assert "\n" not in entry.reason


def test_deployment_options_resolve_from_env(tmp_path):
    s = resolve(cli={}, ini={}, rootdir=tmp_path,
                env={"CONFORMANCE_BASE_URL": "https://staging.example/", "CONFORMANCE_PROBE_TOKEN": "t",
                     "CONFORMANCE_IGNORE_HTTPS_ERRORS": "1", "CONFORMANCE_CONNECT": "ws://127.0.0.1:3000/",
                     "CONFORMANCE_PROFILES": "site-db-age1209600"})
    assert (s.base_url, s.probe_token, s.connect) == ("https://staging.example/", "t", "ws://127.0.0.1:3000/")
    assert s.context_args == {"ignore_https_errors": True}
    # A deployment's profiles are known only once its probe answered.
    assert s.profiles == () and s.profile_names == ("site-db-age1209600",) and s.mode == "probe"
    assert s.sources["base_url"] == "env CONFORMANCE_BASE_URL"


def test_blackbox_needs_a_base_url(tmp_path):
    with pytest.raises(SettingsError, match="--blackbox needs --base-url"):
        resolve(cli={"blackbox": "site.toml"}, ini={}, env={}, rootdir=tmp_path)


def test_ignore_https_errors_takes_a_clear_yes_or_no(tmp_path):
    assert not resolve(cli={}, ini={}, rootdir=tmp_path, env={"CONFORMANCE_IGNORE_HTTPS_ERRORS": "0"}).context_args
    with pytest.raises(SettingsError, match="use 1 or 0"):
        resolve(cli={}, ini={}, rootdir=tmp_path, env={"CONFORMANCE_IGNORE_HTTPS_ERRORS": "maybe"})


# --- the options table of the documentation ------------------------------------------------------

OPTIONS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "options.md"


def test_every_option_is_in_the_docs_options_table():
    text = OPTIONS_PAGE.read_text()
    table = text[text.index("<!-- options -->"):text.index("<!-- /options -->")]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    for option in OPTIONS:
        row = next((r for r in rows if f"`{option.cli}" in r.split("|")[1]), None)
        assert row is not None, f"{option.cli} has no row in docs/reference/options.md's options table"
        if option.env:
            assert option.env in row, f"{option.cli}: the options table's row lacks {option.env}"
        if option.ini and not option.owned_ini:
            assert option.ini in row, f"{option.cli}: the options table's row lacks {option.ini}"
        if option.make:
            assert f"`{option.make}" in row, f"the make variable {option.make} is not in its option's row"


def test_plugin_profiles_join_the_catalogue():
    extra = profiles.Profile("mine", "a team's own configuration", {"SESSION_COOKIE_AGE": 7})
    s = resolve(cli={**NO_CLI, "profiles": ["mine"]}, ini=NO_INI,
                env={}, rootdir=ROOT,
                catalogue=profiles.PROFILES + (extra,))
    assert s.profiles == (extra,)
    with pytest.raises(SettingsError, match="unknown profile mine"):
        res(cli={"profiles": ["mine"]})


def test_an_entry_can_apply_to_a_configuration_whatever_the_profile_is_called(tmp_path):
    """COOKIE-02's defect is one of SESSION_SAVE_EVERY_REQUEST, on a reference profile, a deployment's
    or a black-box site's alike."""
    path = tmp_path / "e.toml"
    path.write_text('[[known]]\ncheck = "COOKIE-02"\nprofile = "*"\ndjango = "*"\nreason = "r"\nreproduction = "x"\n'
                    'settings = { SESSION_SAVE_EVERY_REQUEST = true }\n')
    known = expectations.load(path)
    assert expectations.find(known, "COOKIE-02", "blackbox-x", "firefox", "5.2.19", {"SESSION_SAVE_EVERY_REQUEST": True})
    assert not expectations.find(known, "COOKIE-02", "blackbox-x", "firefox", "5.2.19",
                                 {"SESSION_SAVE_EVERY_REQUEST": False})
    assert not expectations.find(known, "COOKIE-02", "p", "firefox", "5.2.19")
