"""One frozen Settings object, resolved once per run: CLI > environment > ini > default.

Each value remembers where it came from, and the report header prints that. Fixtures and checks
read this object, never os.environ.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import profiles

DEFAULT_BROWSERS = ("chromium", "firefox")
KNOWN_BROWSERS = ("chromium", "firefox", "webkit")


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
    sources: dict = field(default_factory=dict)  # setting -> "CLI" | "env NAME" | "ini" | "default"
    profile_names: tuple[str, ...] = ()  # as asked; a deployment's profiles are known only later
    base_url: str | None = None  # a running site to judge; None = spawn the reference site
    probe_token: str | None = None  # the deployment's CONFORMANCE_PROBE_TOKEN
    blackbox_path: Path | None = None  # black-box mode: how to sign in, and the expected policy
    ignore_https_errors: bool = False
    connect: str | None = None  # a Playwright browser server's ws endpoint; None = launch locally
    target: object = None  # deployment.Deployment (or blackbox.BlackBox) once discovered

    @property
    def context_args(self) -> dict:
        """Options every browser context (and persistent profile) of the run is opened with."""
        return {"ignore_https_errors": True} if self.ignore_https_errors else {}

    @property
    def connect_args(self) -> dict | None:
        """BrowserType.connect() arguments for --connect; None: launch browsers here."""
        return {"endpoint": self.connect} if self.connect else None

    def with_target(self, target) -> "Settings":
        """This run against a discovered deployment: its profiles, filtered by --profile."""
        known = {p.name: p for p in target.profiles}
        unknown = [n for n in self.profile_names if n not in known]
        if unknown:
            raise SettingsError(f"unknown profile {', '.join(unknown)} (from {self.sources['profiles']}) "
                                f"for {target.base_url}; its profiles: {', '.join(known)}")
        chosen = tuple(known[n] for n in self.profile_names) or target.profiles
        return dataclasses.replace(self, profiles=chosen, target=target)

    def selects(self, check_id: str) -> bool:
        return not self.check_patterns or any(fnmatch.fnmatchcase(check_id, p) for p in self.check_patterns)

    def header(self) -> str:
        def src(key: str) -> str:
            return self.sources.get(key, "default")
        names = [p.name for p in self.profiles]
        shown = ",".join(names) if len(names) <= 3 else f"{len(names)} profiles"
        if self.base_url is None:
            target = "spawned target_site"
        else:
            mode = "black-box" if self.blackbox_path else "probe"
            django = f", Django {self.target.django}" if getattr(self.target, "django", None) else ""
            target = f"{self.base_url} ({mode}{django}, from {src('base_url')})"
        via = f", connect={self.connect} (from {src('connect')})" if self.connect else ""
        return (f"conformance: profiles={shown} (from {src('profiles')}), "
                f"target={target}, browsers={','.join(self.browsers)} (from {src('browsers')}){via}, "
                f"checks={','.join(self.check_patterns) or 'all'} (from {src('checks')}), "
                f"report={self.report_path} (from {src('report')})")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.replace("\n", ",").split(",") if v.strip())


def _pick(cli, env: dict, env_name: str, ini) -> tuple[object, str]:
    """First of CLI, env, ini that is set, with its source name."""
    if cli:
        return cli, "CLI"
    if env.get(env_name):
        return env[env_name], f"env {env_name}"
    if ini:
        return ini, "ini"
    return None, "default"


def resolve(*, cli: dict, ini: dict, env: dict | None = None, rootdir: Path) -> Settings:
    """Build Settings from the three sources. cli/ini hold raw option values; env defaults to
    os.environ (read here, once, at the boundary)."""
    env = dict(os.environ if env is None else env)
    sources: dict[str, str] = {}

    base_url, sources["base_url"] = _pick(cli.get("base_url"), env, "CONFORMANCE_BASE_URL", ini.get("base_url"))
    token, sources["probe_token"] = _pick(cli.get("probe_token"), env, "CONFORMANCE_PROBE_TOKEN", None)
    raw, sources["blackbox"] = _pick(cli.get("blackbox"), env, "CONFORMANCE_BLACKBOX", ini.get("blackbox"))
    blackbox = Path(raw) if raw else None
    if blackbox is not None and not blackbox.is_absolute():
        blackbox = rootdir / blackbox
    if blackbox is not None and not base_url:
        raise SettingsError("--blackbox needs --base-url (the site to sign in to)")
    raw, sources["ignore_https_errors"] = _pick(cli.get("ignore_https_errors"), env,
                                                "CONFORMANCE_IGNORE_HTTPS_ERRORS", ini.get("ignore_https_errors"))
    flag = str(raw).strip().lower() if raw else ""
    if flag not in ("", "1", "true", "yes", "on", "0", "false", "no", "off"):
        raise SettingsError(f"ignore_https_errors = {raw!r} (from {sources['ignore_https_errors']}): use 1 or 0")
    ignore_https = flag in ("1", "true", "yes", "on")
    connect, sources["connect"] = _pick(cli.get("connect"), env, "CONFORMANCE_CONNECT", ini.get("connect"))

    raw, sources["profiles"] = _pick(cli.get("profiles"), env, "CONFORMANCE_PROFILES", ini.get("profiles"))
    names = tuple(dict.fromkeys(tuple(raw) if isinstance(raw, (list, tuple)) else _split(raw or "")))
    chosen: tuple[profiles.Profile, ...] = ()
    if not base_url:  # a deployment's profiles come from its probe (Settings.with_target)
        try:
            chosen = profiles.select(names or None)
        except KeyError as exc:
            raise SettingsError(
                f"unknown profile {exc.args[0]} (from {sources['profiles']}); "
                f"known profiles: {', '.join(p.name for p in profiles.PROFILES)}") from None

    raw, sources["checks"] = _pick(cli.get("checks"), env, "CONFORMANCE_CHECKS", ini.get("checks"))
    patterns = tuple(raw) if isinstance(raw, (list, tuple)) else _split(raw or "")

    raw, sources["browsers"] = _pick(cli.get("browsers"), env, "CONFORMANCE_BROWSERS", ini.get("browsers"))
    browsers = (tuple(raw) if isinstance(raw, (list, tuple)) else _split(raw or "")) or DEFAULT_BROWSERS
    bad = [b for b in browsers if b not in KNOWN_BROWSERS]
    if bad:
        raise SettingsError(f"unknown browser {', '.join(bad)} (from {sources['browsers']}); "
                            f"choose from {', '.join(KNOWN_BROWSERS)}")
    browsers = tuple(dict.fromkeys(browsers))

    raw, sources["executables"] = _pick(cli.get("executables"), env, "CONFORMANCE_BROWSER_EXECUTABLE", None)
    executables = {}
    for item in (tuple(raw) if isinstance(raw, (list, tuple)) else _split(raw or "")):
        name, eq, path = item.partition("=")
        if not eq or name not in KNOWN_BROWSERS or not path:
            raise SettingsError(f"--browser-executable takes NAME=PATH with NAME one of "
                                f"{', '.join(KNOWN_BROWSERS)}; got {item!r}")
        executables[name] = path

    raw, sources["report"] = _pick(cli.get("report"), env, "CONFORMANCE_REPORT", ini.get("report"))
    report = Path(raw or "reports/conformance.json")
    raw, sources["expectations"] = _pick(cli.get("expectations"), env, "CONFORMANCE_EXPECTATIONS",
                                         ini.get("expectations"))
    expectations = Path(raw or "conformance/expectations.toml")

    return Settings(
        profiles=chosen,
        check_patterns=patterns,
        browsers=browsers,
        executables=executables,
        report_path=report if report.is_absolute() else rootdir / report,
        expectations_path=expectations if expectations.is_absolute() else rootdir / expectations,
        sources=sources,
        profile_names=names,
        base_url=base_url or None,
        probe_token=token or None,
        blackbox_path=blackbox,
        ignore_https_errors=ignore_https,
        connect=connect or None,
    )
