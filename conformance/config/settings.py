"""One frozen Settings object, resolved once per run from the options table (options.py):
CLI > environment > ini > default.

Each value remembers where it came from, and the report header prints that. Fixtures and checks
read this object, never os.environ.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..drivers.sign_ins import DEFAULT_RATE, RateError, interval_of
from ..observe.campaign import DEFAULT_CONCURRENCY
from ..sites.spec import DjangoSpec, SpecError
from ..targets import profiles
from ..targets.target import BLACK_BOX, PROBE, PROJECT, REFERENCE
from .options import collect, split

DEFAULT_BROWSERS = ("chromium", "firefox")
KNOWN_BROWSERS = ("chromium", "firefox", "webkit")
DEFAULT_REPORT = "reports/conformance.json"
DEFAULT_HTML = "reports/conformance.html"
GATES = ("regressions", "changes")
# The package's own known defects, wherever it is installed (a path relative to the rootdir would
# find nothing outside a clone).
DEFAULT_EXPECTATIONS = str(Path(__file__).resolve().parents[1] / "expectations.toml")

YES, NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def djangos_given(value) -> bool:
    return bool(split(value))


class SettingsError(Exception):
    """Bad input; the message is one line that names the fix."""


@dataclass(frozen=True)
class Settings:
    profiles: tuple[profiles.Profile, ...]
    check_patterns: tuple[str, ...]  # fnmatch patterns over check ids; () = all
    browsers: tuple[str, ...]
    executables: dict  # browser -> path override
    report_path: Path
    expectations_path: Path
    html_path: Path | None = None
    baseline_path: Path | None = None  # compare the run with this report
    gate: str | None = None  # "regressions" | "changes" | None: any fail or error fails the run
    sources: dict = field(default_factory=dict)  # setting -> "CLI" | "env NAME" | "ini" | "default"
    profile_names: tuple[str, ...] = ()  # as asked; a deployment's profiles are known only later
    base_url: str | None = None  # a running site to judge; None = spawn the reference site
    probe_token: str | None = None  # the deployment's CONFORMANCE_PROBE_TOKEN
    blackbox_path: Path | None = None  # black-box mode: how to sign in, and the expected policy
    ignore_https_errors: bool = False
    connect: str | None = None  # a Playwright browser server's ws endpoint; None = launch locally
    concurrency: int = DEFAULT_CONCURRENCY  # scenarios in flight per browser
    sign_in_rate: str = DEFAULT_RATE  # black-box mode: how often the run may sign in (drivers/sign_ins.py)
    djangos: tuple[DjangoSpec, ...] = ()  # the site's Django versions; () = the runner's own
    site: object = None  # the deployment once discovered (targets.deployment / blackbox_config)
    project: object = None  # project mode: the team's project (conformance.project.site.Project)
    shard: tuple[int, int] | None = None  # (K, N): part K of N of the run's targets; None: all

    @property
    def mode(self) -> str:
        """How the suite reaches the site: the one place this is decided."""
        if self.project is not None:
            return PROJECT
        if self.base_url is None:
            return REFERENCE
        return BLACK_BOX if self.blackbox_path is not None else PROBE

    @property
    def context_args(self) -> dict:
        """Options every browser context (and persistent profile) of the run adds to
        pytest-playwright's browser_context_args."""
        return {"ignore_https_errors": True} if self.ignore_https_errors else {}

    @property
    def connect_args(self) -> dict | None:
        """BrowserType.connect() arguments for --connect; None: launch browsers here."""
        return {"endpoint": self.connect} if self.connect else None

    def with_site(self, site) -> "Settings":
        """This run against a discovered deployment: its profiles, filtered by --profile."""
        known = {p.name: p for p in site.profiles}
        unknown = [n for n in self.profile_names if n not in known]
        if unknown:
            raise SettingsError(f"unknown profile {', '.join(unknown)} (from {self.sources['profiles']}) "
                                f"for {site.base_url}; its profiles: {', '.join(known)}")
        chosen = tuple(known[n] for n in self.profile_names) or site.profiles
        return dataclasses.replace(self, profiles=chosen, site=site)

    def selects(self, check_id: str) -> bool:
        return not self.check_patterns or any(fnmatch.fnmatchcase(check_id, p) for p in self.check_patterns)

    def header(self) -> str:
        def src(key: str) -> str:
            return self.sources.get(key, "default")
        names = [p.name for p in self.profiles]
        shown = ",".join(names) if len(names) <= 3 else f"{len(names)} profiles"
        if self.mode == REFERENCE:
            target = "spawned target_site"
        elif self.mode == PROJECT:
            target = f"project {self.project.label} (from {src('project')})"
        else:
            django = getattr(self.site, "django", None)
            django = f", Django {django}" if django and django != "unknown" else ""
            target = f"{self.base_url} ({self.mode}{django}, from {src('base_url')})"
        via = f", connect={self.connect} (from {src('connect')})" if self.connect else ""
        return (f"conformance: profiles={shown} (from {src('profiles')}), "
                f"target={target}, browsers={','.join(self.browsers)} (from {src('browsers')}){via}, "
                f"checks={','.join(self.check_patterns) or 'all'} (from {src('checks')}), "
                f"report={self.report_path} (from {src('report')})")


def resolve(*, cli: dict, ini: dict, env: dict | None = None, rootdir: Path,
            catalogue: tuple[profiles.Profile, ...] = profiles.PROFILES) -> Settings:
    """Build Settings from the three sources. cli/ini hold raw option values by key; env defaults
    to os.environ (read here, once, at the boundary). `catalogue` is the reference profiles plus
    any a plugin added."""
    raw = collect(cli, dict(os.environ if env is None else env), ini)
    sources = {key: source for key, (_, source) in raw.items()}

    def value(key: str):
        return raw[key][0]

    def path(key: str, default: str | None) -> Path | None:
        given = value(key) or default
        if not given:
            return None
        p = Path(given)
        return p if p.is_absolute() else rootdir / p

    base_url = value("base_url") or None
    blackbox = path("blackbox", None)
    if blackbox is not None and not base_url:
        raise SettingsError("--blackbox needs --base-url (the site to sign in to)")
    flag = str(value("ignore_https_errors") or "").strip().lower()
    if flag not in YES + NO:
        raise SettingsError(f"ignore_https_errors = {value('ignore_https_errors')!r} "
                            f"(from {sources['ignore_https_errors']}): use 1 or 0")

    project = None
    if value("project"):
        if base_url:
            raise SettingsError(f"--project (from {sources['project']}) starts a project; --base-url (from "
                                f"{sources['base_url']}) judges one already running: give one of them")
        from ..project.site import Project, ProjectError

        try:
            environ = dict(os.environ if env is None else env)
            # Like manage.py, which only sets a default: an exported DJANGO_SETTINGS_MODULE wins over it.
            module = value("project_settings") or environ.get("DJANGO_SETTINGS_MODULE") or None
            project = Project.locate(path("project", None), module, value("serve") or None,
                                     path("requirements", None), environ)
        except ProjectError as exc:
            raise SettingsError(str(exc)) from None
        if value("requirements") and not djangos_given(value("djangos")):
            raise SettingsError(f"--requirements (from {sources['requirements']}) is what the project's environment "
                                "for another Django installs (--django SPEC); without one the project runs in this "
                                "Python, with what it has")
    elif value("project_settings") or value("serve"):
        raise SettingsError("--settings and --serve start a project: give it with --project DIR")

    names = tuple(dict.fromkeys(split(value("profiles"))))
    chosen: tuple[profiles.Profile, ...] = ()
    if not base_url and project is None:  # a site's profiles come from its settings (Settings.with_site)
        try:
            chosen = profiles.select(names or None, catalogue)
        except KeyError as exc:
            raise SettingsError(
                f"unknown profile {exc.args[0]} (from {sources['profiles']}); "
                f"known profiles: {', '.join(p.name for p in catalogue)}") from None

    browsers = split(value("browsers")) or DEFAULT_BROWSERS
    bad = [b for b in browsers if b not in KNOWN_BROWSERS]
    if bad:
        raise SettingsError(f"unknown browser {', '.join(bad)} (from {sources['browsers']}); "
                            f"choose from {', '.join(KNOWN_BROWSERS)}")

    try:
        djangos = tuple(dict.fromkeys(DjangoSpec.parse(v) for v in split(value("djangos"))))
    except SpecError as exc:
        raise SettingsError(f"{exc} (from {sources['djangos']})") from None
    if djangos and base_url:
        raise SettingsError(f"--django chooses the reference site's Django (from {sources['djangos']}); "
                            f"a deployment ({base_url}) runs its own")

    executables = {}
    for item in split(value("executables")):
        name, eq, exe = item.partition("=")
        if not eq or name not in KNOWN_BROWSERS or not exe:
            raise SettingsError(f"--browser-executable takes NAME=PATH with NAME one of "
                                f"{', '.join(KNOWN_BROWSERS)}; got {item!r}")
        executables[name] = exe

    raw_concurrency = str(value("concurrency") or DEFAULT_CONCURRENCY).strip()
    if not raw_concurrency.isdigit() or int(raw_concurrency) < 1:
        raise SettingsError(f"--concurrency {raw_concurrency!r} (from {sources['concurrency']}): "
                            "use a whole number of scenarios, 1 or more")

    sign_in_rate = str(value("sign_in_rate") or DEFAULT_RATE).strip()
    try:
        interval_of(sign_in_rate)
    except RateError as exc:
        raise SettingsError(f"--sign-in-rate {exc} (from {sources['sign_in_rate']})") from None

    gate = (value("gate") or "").strip() or None
    if gate is not None and gate not in GATES:
        raise SettingsError(f"--gate {gate!r} (from {sources['gate']}): use {' or '.join(GATES)}")
    baseline = path("baseline", None)
    if gate is not None and baseline is None and len(djangos) < 2:
        raise SettingsError(f"--gate {gate} (from {sources['gate']}) compares with a baseline: give --baseline "
                            "REPORT (make BASELINE=), or two Django versions (the first is the baseline)")

    shard = None
    if value("shard"):
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(value("shard")))
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise SettingsError(f"--shard {value('shard')!r} (from {sources['shard']}): give K/N, part K of N, "
                                "1 <= K <= N (e.g. 1/2)")
        shard = (int(match[1]), int(match[2]))

    return Settings(
        profiles=chosen,
        check_patterns=split(value("checks")),
        browsers=tuple(dict.fromkeys(browsers)),
        executables=executables,
        report_path=path("report", DEFAULT_REPORT),
        expectations_path=path("expectations", DEFAULT_EXPECTATIONS),
        html_path=path("html", DEFAULT_HTML),
        baseline_path=baseline,
        gate=gate,
        sources=sources,
        profile_names=names,
        base_url=base_url,
        probe_token=value("probe_token") or None,
        blackbox_path=blackbox,
        ignore_https_errors=flag in YES,
        connect=value("connect") or None,
        concurrency=int(raw_concurrency),
        sign_in_rate=sign_in_rate,
        djangos=djangos,
        project=project,
        shard=shard,
    )
