"""Black-box mode: a deployment without the probe, described by a small TOML file (how to sign
in, a page only a signed-in user sees, the policy the site promises). Loading it is pure apart
from reading the file and the credentials' environment variables, once, at the boundary.

The policy is turned into the SESSION_* settings it stands for, so promises, checks and
verdicts are the same as in probe mode; only what the probe alone can do (modify the session)
is skipped, with the reason.
"""

from __future__ import annotations

import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .deployment import DeploymentError, normalize_url
from .profiles import Profile
from .promises import ABSOLUTE_TIMEOUT

EXAMPLE = "see README 'Black-box mode' for an example"

# [section] -> {key: (type, required)}
SCHEMA: dict[str, dict[str, tuple[type | tuple, bool]]] = {
    "login": {"url": (str, True), "username_field": (str, True), "password_field": (str, True),
              "submit": (str, True), "username_env": (str, True), "password_env": (str, True)},
    "signed_in": {"url": (str, True), "text": (str, True)},
    "logout": {"url": (str, True), "submit": (str, False)},
    "policy": {"cookie_name": (str, False), "age": (int, True), "browser_length": (bool, False),
               "sliding": (bool, False), "secure": (bool, False), "httponly": (bool, False),
               "samesite": ((str, bool), False), "path": (str, False), "domain": (str, False),
               "backend": (str, False), "absolute_timeout": (int, False)},
}
REQUIRED_SECTIONS = ("login", "signed_in", "policy")
BACKENDS = {"db": "django.contrib.sessions.backends.db", "cache": "django.contrib.sessions.backends.cache",
            "cached_db": "django.contrib.sessions.backends.cached_db",
            "file": "django.contrib.sessions.backends.file",
            "signed_cookies": "django.contrib.sessions.backends.signed_cookies"}
# Only the probe can modify a session without the site's own forms; renewal on reads is judged.
NO_WRITE = "black-box mode cannot modify the session (only the probe can); REN-01, REN-02 and REN-05 judge reads"


@dataclass(frozen=True)
class BlackBox:
    base_url: str
    source: Path
    login_url: str
    username_field: str
    password_field: str
    submit: str
    username: str
    password: str = field(default="", repr=False)
    username_env: str = ""
    password_env: str = ""
    signed_in_url: str = ""
    signed_in_text: str = ""
    logout_url: str | None = None  # a GET that signs out, or (with logout_submit) the page to click on
    logout_submit: str | None = None
    settings: dict | None = None  # the SESSION_* settings the policy stands for
    profiles: tuple[Profile, ...] = ()
    django: str | None = None  # unknown without the probe

    @property
    def token(self) -> str:
        return ""  # no probe

    def signed_in(self, html: str) -> bool:
        return self.signed_in_text in html

    def describe(self) -> dict:
        return {"mode": "black-box", "base_url": self.base_url, "config": str(self.source),
                "settings": self.settings, "login_url": self.login_url, "signed_in_url": self.signed_in_url,
                "logout_url": self.logout_url, "logout_submit": self.logout_submit}


def load(path: Path, base_url: str, env: dict) -> BlackBox:
    """Read and validate the config; credentials come from the environment variables it names."""
    base_url = normalize_url(base_url)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise DeploymentError(f"black-box config {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeploymentError(f"black-box config {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DeploymentError(f"black-box config {path}: not valid TOML: {exc}") from None
    _validate(path, data)
    login, policy = data["login"], data["policy"]
    missing = [login[k] for k in ("username_env", "password_env") if not env.get(login[k])]
    if missing:
        raise DeploymentError(f"black-box config {path}: set the environment variable(s) "
                              f"{', '.join(missing)} to the account the suite signs in with")
    settings = settings_for(policy)
    return BlackBox(
        base_url=base_url, source=path,
        login_url=urllib.parse.urljoin(base_url, login["url"]),
        username_field=login["username_field"], password_field=login["password_field"],
        submit=login["submit"], username=env[login["username_env"]], password=env[login["password_env"]],
        username_env=login["username_env"], password_env=login["password_env"],
        signed_in_url=urllib.parse.urljoin(base_url, data["signed_in"]["url"]),
        signed_in_text=data["signed_in"]["text"],
        logout_url=urllib.parse.urljoin(base_url, data["logout"]["url"]) if "logout" in data else None,
        logout_submit=data.get("logout", {}).get("submit"),
        settings=settings, profiles=(profile_for(settings, "logout" in data),))


def _validate(path: Path, data: dict) -> None:
    for section in data:
        if section not in SCHEMA:
            raise DeploymentError(f"black-box config {path}: unknown section [{section}]; "
                                  f"known: {', '.join(f'[{s}]' for s in SCHEMA)}")
    for section in REQUIRED_SECTIONS:
        if section not in data:
            raise DeploymentError(f"black-box config {path}: missing section [{section}]; {EXAMPLE}")
    for section, values in data.items():
        if not isinstance(values, dict):
            raise DeploymentError(f"black-box config {path}: {section} must be a [{section}] table")
        keys = SCHEMA[section]
        for key, value in values.items():
            if key not in keys:
                raise DeploymentError(f"black-box config {path}: unknown key {key!r} in [{section}]; "
                                      f"known: {', '.join(keys)}")
            kind = keys[key][0]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise DeploymentError(f"black-box config {path}: [{section}] {key} = {value!r} has the wrong type")
        lacking = [k for k, (_, required) in keys.items() if required and k not in values]
        if lacking:
            raise DeploymentError(f"black-box config {path}: [{section}] lacks {', '.join(lacking)}; {EXAMPLE}")
    policy = data["policy"]
    problems = []
    if policy.get("backend", "db") not in BACKENDS:
        problems.append(f"[policy] backend {policy['backend']!r} is not one of {', '.join(BACKENDS)}")
    if policy.get("samesite", "Lax") not in ("Strict", "Lax", "None", False):
        problems.append(f"[policy] samesite = {policy['samesite']!r}: use \"Strict\", \"Lax\", \"None\" or false")
    for key in ("age", "absolute_timeout"):
        if key in policy and policy[key] <= 0:
            problems.append(f"[policy] {key} must be a positive number of seconds")
    if not data["signed_in"]["text"].strip():
        problems.append("[signed_in] text must not be empty (every page would count as signed in)")
    name = policy.get("cookie_name", "sessionid")
    if name.startswith(("__Host-", "__Secure-")) and not policy.get("secure", False):
        problems.append(f"[policy] cookie_name {name!r} needs secure = true (browsers reject it otherwise)")
    if name.startswith("__Host-") and (policy.get("domain") or policy.get("path", "/") != "/"):
        problems.append(f"[policy] cookie_name {name!r} needs path = \"/\" and no domain")
    if problems:
        raise DeploymentError(f"black-box config {path}: {problems[0]}")


def settings_for(policy: dict) -> dict:
    """The SESSION_* settings a policy stands for (Django's defaults for what it leaves out)."""
    samesite = policy.get("samesite", "Lax")
    return {
        "SESSION_ENGINE": BACKENDS[policy.get("backend", "db")],
        "SESSION_COOKIE_NAME": policy.get("cookie_name", "sessionid"),
        "SESSION_COOKIE_AGE": policy["age"],
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": policy.get("browser_length", False),
        "SESSION_SAVE_EVERY_REQUEST": policy.get("sliding", False),
        "SESSION_COOKIE_SECURE": policy.get("secure", False),
        "SESSION_COOKIE_HTTPONLY": policy.get("httponly", True),
        "SESSION_COOKIE_SAMESITE": samesite if samesite not in (False, "", "false") else False,
        "SESSION_COOKIE_PATH": policy.get("path", "/"),
        "SESSION_COOKIE_DOMAIN": policy.get("domain") or None,
        ABSOLUTE_TIMEOUT: policy.get("absolute_timeout"),
    }


def timeline_s(age: int) -> int:
    """How long after sign-in the expiry and renewal timelines may run: renewal acts at 60 % of
    the age and then waits out a whole renewed age, plus margins."""
    return 2 * age + 2


def profile_for(settings: dict, has_logout: bool) -> Profile:
    name = (f"blackbox-{settings['SESSION_COOKIE_NAME']}-age{settings['SESSION_COOKIE_AGE']}"
            f"{'-browser-close' if settings['SESSION_EXPIRE_AT_BROWSER_CLOSE'] else ''}"
            f"{'-sliding' if settings['SESSION_SAVE_EVERY_REQUEST'] else ''}"
            f"{f'-absolute{settings[ABSOLUTE_TIMEOUT]}' if settings[ABSOLUTE_TIMEOUT] else ''}")
    skips = [("REN-0[34]", NO_WRITE)]
    if not has_logout:
        skips.append(("SRV-02", "no [logout] url in the black-box config"))
    absolute, age = settings[ABSOLUTE_TIMEOUT], settings["SESSION_COOKIE_AGE"]
    if absolute and absolute < timeline_s(age):
        # These checks expect the session to live to its idle deadline (renewed on a sliding
        # site by the suite's own requests); an earlier absolute end would read as their failure.
        cut = (f"the absolute timeout ({absolute} s) would end the session before this check's timeline "
               f"(up to {timeline_s(age)} s) does; SRV-05 checks it")
        skips += [("SRV-0[134]", cut), ("REN-0[125]", cut)]
    return Profile(name, "the deployment's promised policy, judged through its own sign-in", skips=tuple(skips))
