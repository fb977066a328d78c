"""Black-box mode: a deployment without the probe, described by a small TOML file (how to sign
in, a page only a signed-in user sees, the policy the site promises). Loading it is pure apart
from reading the file and the credentials' environment variables, once, at the boundary.

Signing in and logging out become ordered steps (open a page, fill a field, submit a form) that
the black-box driver performs. The policy is turned into the SESSION_* settings it stands for, so
promises, checks and verdicts are the same as in probe mode; what only the probe can do (modify
the session) is a capability this target lacks, with the reason.
"""

from __future__ import annotations

import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .capabilities import UNINTERRUPTED
from .deployment import DeploymentError, normalize_url
from .profiles import Profile
from .promises import ABSOLUTE_TIMEOUT
from .target import BLACK_BOX, Target

EXAMPLE = "see README 'Black-box mode' for an example"

# [section] -> {key: (type, required)}
SCHEMA: dict[str, dict[str, tuple[type | tuple, bool]]] = {
    "login": {"url": (str, True), "username_field": (str, True), "password_field": (str, True),
              "submit": (str, True), "username_env": (str, True), "password_env": (str, True)},
    "signed_in": {"url": (str, True), "text": (str, True)},
    "logout": {"url": (str, True), "submit": (str, False)},
    "pages": {"public": (list, False)},
    "policy": {"cookie_name": (str, False), "age": (int, True), "browser_length": (bool, False),
               "sliding": (bool, False), "secure": (bool, False), "httponly": (bool, False),
               "samesite": ((str, bool), False), "path": (str, False), "domain": (str, False),
               "backend": (str, False), "absolute_timeout": (int, False),
               "signed_in_never_cache": (bool, False)},
}
REQUIRED_SECTIONS = ("login", "signed_in", "policy")
BACKENDS = {"db": "django.contrib.sessions.backends.db", "cache": "django.contrib.sessions.backends.cache",
            "cached_db": "django.contrib.sessions.backends.cached_db",
            "file": "django.contrib.sessions.backends.file",
            "signed_cookies": "django.contrib.sessions.backends.signed_cookies"}
# Only the probe can modify a session without the site's own forms; renewal on reads is judged.
NO_WRITE = "black-box mode cannot modify the session (only the probe can); renewal is judged on reads"
NO_LOGOUT = "no [logout] url in the black-box config"
NO_PUBLIC_PAGE = "no [pages] public in the black-box config (a page of the site that never touches the session)"
NO_NEVER_CACHE = ("the black-box policy does not say the signed-in page is never_cache ([policy] "
                  "signed_in_never_cache = true, as for Django's admin)")


@dataclass(frozen=True)
class Step:
    """One thing a visitor does on a page, in order: `goto` a URL, `fill` a field, or `submit` a
    form by clicking a button (which navigates). `key` names where in the config it comes from."""

    kind: str  # "goto" | "fill" | "submit"
    target: str  # the URL (goto) or a CSS selector
    key: str  # e.g. "[login] password_field", for messages
    value: str = field(default="", repr=False)  # what `fill` types (a credential: never shown)

    def describe(self) -> str:
        return f"{self.kind} {self.key} {self.target!r}"


@dataclass(frozen=True)
class BlackBoxConfig:
    base_url: str
    source: Path
    login_url: str
    login: tuple[Step, ...]  # ends with the submit that signs in
    username_env: str
    password_env: str
    signed_in_url: str
    signed_in_text: str
    logout: tuple[Step, ...] = ()  # ends with the request that signs out; () = no logout
    public_urls: tuple[str, ...] = ()  # pages that never touch the session ([pages] public)
    signed_in_never_cache: bool = False  # the policy says the signed-in page is marked never_cache
    settings: dict = field(default_factory=dict)  # the SESSION_* settings the policy stands for
    profiles: tuple[Profile, ...] = ()
    django: str = "unknown"  # no probe to ask

    def signed_in(self, html: str) -> bool:
        return self.signed_in_text in html

    def target_for(self, profile: Profile) -> Target:
        lacks = dict(profile.withholds)  # and what the black-box driver cannot do (drivers/blackbox.py)
        return Target(profile.name, BLACK_BOX, self.base_url, "", self.settings, self.django, profile.expiry,
                      lacks=lacks, blackbox=self)

    def describe(self) -> dict:
        return {"mode": BLACK_BOX, "base_url": self.base_url, "config": str(self.source),
                "settings": self.settings, "login_url": self.login_url, "signed_in_url": self.signed_in_url,
                "logout": [step.describe() for step in self.logout], "public": list(self.public_urls)}


def load(path: Path, base_url: str, env: dict) -> BlackBoxConfig:
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
    login_url = urllib.parse.urljoin(base_url, login["url"])
    return BlackBoxConfig(
        base_url=base_url, source=path, login_url=login_url,
        login=(Step("goto", login_url, "[login] url"),
               Step("fill", login["username_field"], "[login] username_field", env[login["username_env"]]),
               Step("fill", login["password_field"], "[login] password_field", env[login["password_env"]]),
               Step("submit", login["submit"], "[login] submit")),
        username_env=login["username_env"], password_env=login["password_env"],
        signed_in_url=urllib.parse.urljoin(base_url, data["signed_in"]["url"]),
        signed_in_text=data["signed_in"]["text"], logout=_logout_steps(base_url, data.get("logout")),
        public_urls=tuple(urllib.parse.urljoin(base_url, u) for u in data.get("pages", {}).get("public", [])),
        signed_in_never_cache=policy.get("signed_in_never_cache", False),
        settings=settings, profiles=(profile_for(settings),))


def _logout_steps(base_url: str, logout: dict | None) -> tuple[Step, ...]:
    """[logout] url: a GET that signs out; with submit: that page, then a click on the button
    (Django's LogoutView and the admin's logout are POST-only, a form on a page)."""
    if logout is None:
        return ()
    url = urllib.parse.urljoin(base_url, logout["url"])
    steps = [Step("goto", url, "[logout] url")]
    if logout.get("submit"):
        steps.append(Step("submit", logout["submit"], "[logout] submit"))
    return tuple(steps)


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
    if not all(isinstance(u, str) and u for u in data.get("pages", {}).get("public", [])):
        problems.append("[pages] public must be a list of page URLs (relative to the base URL)")
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


def profile_for(settings: dict) -> Profile:
    name = (f"blackbox-{settings['SESSION_COOKIE_NAME']}-age{settings['SESSION_COOKIE_AGE']}"
            f"{'-browser-close' if settings['SESSION_EXPIRE_AT_BROWSER_CLOSE'] else ''}"
            f"{'-sliding' if settings['SESSION_SAVE_EVERY_REQUEST'] else ''}"
            f"{f'-absolute{settings[ABSOLUTE_TIMEOUT]}' if settings[ABSOLUTE_TIMEOUT] else ''}")
    withholds = []
    absolute, age = settings[ABSOLUTE_TIMEOUT], settings["SESSION_COOKIE_AGE"]
    if absolute and absolute < timeline_s(age):
        # Expiry and renewal checks expect the session to live to its idle deadline (renewed on a
        # sliding site by the suite's own requests); an earlier absolute end would read as their failure.
        withholds.append((UNINTERRUPTED, f"the absolute timeout ({absolute} s) would end the session before "
                                         f"this check's timeline (up to {timeline_s(age)} s) does; the absolute "
                                         "timeout is checked on its own"))
    return Profile(name, "the deployment's promised policy, judged through its own sign-in",
                   withholds=tuple(withholds))
