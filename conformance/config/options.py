"""Every setting of a run, declared once: its command-line flag, environment variable, ini key,
default and help. The plugin adds the flags and ini keys from this table, `collect()` reads the
raw values in precedence order (CLI > environment > ini > default, remembering the source), and
settings.resolve() turns them into one frozen Settings. The options reference (docs/reference/options.md) lists the same
rows (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    key: str  # the Settings field, and the key of its source in the report header
    help: str
    flag: str | None = None  # our command-line flag
    owned_flag: str | None = None  # a flag another plugin declares (pytest-playwright's), read by its dest
    dest: str | None = None  # argparse dest of owned_flag
    env: str | None = None
    ini: str | None = None
    owned_ini: bool = False  # the ini key belongs to another plugin (it may not be declared at all)
    default: str = ""  # as shown to the user ("" = none)
    many: bool = False  # repeatable flag; the environment and ini take a comma (or line) list
    switch: bool = False  # a flag without a value
    metavar: str | None = None
    make: str | None = None  # the `make` variable that sets the environment variable

    @property
    def option_dest(self) -> str:
        return self.dest or f"conformance_{self.key}"

    @property
    def cli(self) -> str:
        return self.flag or self.owned_flag or ""


OPTIONS: tuple[Option, ...] = (
    Option("profiles", "profiles to run (repeatable; default: all)", flag="--profile", metavar="NAME",
           env="CONFORMANCE_PROFILES", ini="conformance_profiles", default="all", many=True),
    Option("checks", "check ids to run, globs such as AGE-01 or 'REN-*' (repeatable; default: all)",
           flag="--check", metavar="ID", env="CONFORMANCE_CHECKS", ini="conformance_checks", default="all",
           many=True),
    Option("browsers", "browser engines to run (pytest-playwright's --browser)", owned_flag="--browser",
           dest="browser", env="CONFORMANCE_BROWSERS", ini="conformance_browsers", default="chromium,firefox",
           many=True),
    Option("djangos", "run the reference site on this Django: a release line such as 5.2 (its newest locked "
           "patch) or an exact release such as 5.2.8 (repeatable: one comparison across them; default: the "
           "runner's own)", flag="--django", metavar="SPEC", env="CONFORMANCE_DJANGO", ini="conformance_django",
           default="runner's (5.2)", many=True, make="DJANGO"),
    Option("executables", "launch this executable for an engine, NAME=PATH (repeatable)",
           flag="--browser-executable", metavar="NAME=PATH", env="CONFORMANCE_BROWSER_EXECUTABLE",
           default="auto", many=True),
    Option("report", "where to write the JSON report", flag="--conformance-report", metavar="PATH",
           env="CONFORMANCE_REPORT", ini="conformance_report", default="reports/conformance.json"),
    Option("html", "where to write the HTML report (one self-contained file)", flag="--html-report", metavar="PATH",
           env="CONFORMANCE_HTML", ini="conformance_html", default="reports/conformance.html"),
    Option("baseline", "compare the run with this earlier report: regressions, fixes, skips and key "
           "observations that changed", flag="--baseline", metavar="REPORT", env="CONFORMANCE_BASELINE",
           ini="conformance_baseline", make="BASELINE"),
    Option("gate", "what fails the run: 'regressions' (only a pass or caveat that became a fail or error, "
           "against --baseline, or against the first of several --django), 'changes' (any verdict that "
           "changed), or the default: any fail or error",
           flag="--gate", metavar="WHAT", env="CONFORMANCE_GATE", ini="conformance_gate", default="any fail",
           make="GATE"),
    Option("expectations", "known Django defects file", flag="--expectations", metavar="PATH",
           env="CONFORMANCE_EXPECTATIONS", ini="conformance_expectations", default="conformance/expectations.toml"),
    Option("base_url", "judge this running deployment instead of starting the reference site "
           "(pytest-playwright's --base-url)", owned_flag="--base-url", dest="base_url",
           env="CONFORMANCE_BASE_URL", ini="base_url", owned_ini=True, make="BASE_URL"),
    Option("project", "project mode: start this Django project (a folder) with the probe added around it, on "
           "test databases, and judge it as probe mode does", flag="--project", metavar="DIR",
           env="CONFORMANCE_PROJECT", ini="conformance_project", make="PROJECT"),
    Option("project_settings", "the project's settings module (default: the one its manage.py sets)",
           flag="--settings", metavar="MODULE", env="CONFORMANCE_PROJECT_SETTINGS",
           ini="conformance_project_settings", default="manage.py's", make="SETTINGS"),
    Option("serve", "project mode: serve it with this command instead of Django's own server, run as "
           "`python -m` would, with {host} and {port}, e.g. \"gunicorn shop.wsgi -b {host}:{port}\"",
           flag="--serve", metavar="COMMAND", env="CONFORMANCE_SERVE", ini="conformance_serve",
           default="Django's threaded server", make="SERVE"),
    Option("requirements", "project mode with --django: what the project's environment installs beside that "
           "Django (a Django pin in it is replaced)", flag="--requirements", metavar="FILE",
           env="CONFORMANCE_REQUIREMENTS", ini="conformance_requirements", default="the project's requirements.txt",
           make="REQUIREMENTS"),
    Option("probe_token", "the deployment's CONFORMANCE_PROBE_TOKEN (probe mode)", flag="--probe-token",
           metavar="TOKEN", env="CONFORMANCE_PROBE_TOKEN", make="PROBE_TOKEN"),
    Option("blackbox", "black-box mode: a TOML file saying how to sign in and the promised policy",
           flag="--blackbox", metavar="FILE", env="CONFORMANCE_BLACKBOX", ini="conformance_blackbox",
           make="BLACKBOX"),
    Option("ignore_https_errors", "accept the deployment's untrusted TLS certificate (staging)",
           flag="--ignore-https-errors", switch=True, env="CONFORMANCE_IGNORE_HTTPS_ERRORS",
           ini="conformance_ignore_https_errors", default="off", make="INSECURE"),
    Option("concurrency", "scenarios in flight per browser (1: one at a time; fewer spares a small site, "
           "e.g. on SQLite)", flag="--concurrency", metavar="N", env="CONFORMANCE_CONCURRENCY",
           ini="conformance_concurrency", default="12", make="CONCURRENCY"),
    Option("sign_in_rate", "black-box mode: sign in at most this often, evenly spaced: N/s, N/m, N/h or N/10s "
           "(django-ratelimit's syntax); halved for the rest of the run when the site refuses a sign-in it "
           "accepted before", flag="--sign-in-rate", metavar="RATE", env="CONFORMANCE_SIGN_IN_RATE",
           ini="conformance_sign_in_rate", default="2/s", make="SIGN_IN_RATE"),
    Option("shard", "run part K of N of the run's targets (profile x Django version), as a CI job matrix does; "
           "`conformance merge` makes one report of the N parts", flag="--shard", metavar="K/N",
           env="CONFORMANCE_SHARD", ini="conformance_shard", default="the whole run", make="SHARD"),
    Option("connect", "use browsers from a Playwright browser server (playwright run-server)",
           flag="--connect", metavar="WS_ENDPOINT", env="CONFORMANCE_CONNECT", ini="conformance_connect",
           make="CONNECT"),
)

BY_KEY = {o.key: o for o in OPTIONS}


def split(value) -> tuple[str, ...]:
    """A list option's value: a CLI list as given, or a comma (or line) separated string."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return tuple(v.strip() for v in str(value or "").replace("\n", ",").split(",") if v.strip())


def collect(cli: dict, env: dict, ini: dict) -> dict[str, tuple[object, str]]:
    """key -> (the first value set, its source): "CLI", "env NAME", "ini" or "default" (None)."""
    out = {}
    for option in OPTIONS:
        value, source = None, "default"
        if cli.get(option.key):
            value, source = cli[option.key], "CLI"
        elif option.env and env.get(option.env):
            value, source = env[option.env], f"env {option.env}"
        elif option.ini and ini.get(option.key):
            value, source = ini[option.key], "ini"
        out[option.key] = (value, source)
    return out
