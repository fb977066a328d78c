"""Black-box mode: a deployment without the probe, described by a small TOML file (how to sign
in, a page only a signed-in user sees, how to log out, the policy the site promises). Loading it is
pure apart from reading the file and the credentials' environment variables, once, at the boundary.

Signing in and logging out become ordered steps (targets/steps.py) that the black-box driver
performs; the policy becomes profiles (targets/blackbox_policy.py), one per way of signing in
("Remember me" ticked or not). What only the probe can do (modify the session) is a capability
this target lacks, with the reason.
"""

from __future__ import annotations

import dataclasses
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .blackbox_policy import BACKENDS, STATE_KEYS, profile_for, settings_for, states
from .deployment import DeploymentError, normalize_url
from .profiles import Profile
from .steps import Step, StepsError, parse_steps, with_checkbox
from .target import BLACK_BOX, Target

__all__ = ["BlackBoxConfig", "Step", "load", "settings_for"]

EXAMPLE = "see README 'Black-box mode' for an example"

# [section] -> {key: (type, required)}
SCHEMA: dict[str, dict[str, tuple[type | tuple, bool]]] = {
    "login": {"url": (str, True), "username_field": (str, True), "password_field": (str, True),
              "submit": (str, True), "username_env": (str, True), "password_env": (str, True),
              "remember": (str, False)},
    "signed_in": {"url": (str, True), "text": (str, True)},
    "logout": {"url": (str, False), "submit": (str, False), "steps": (list, False)},
    "pages": {"public": (list, False), "anonymous_session": (list, False)},
    "policy": {"cookie_name": (str, False), "age": (int, True), "browser_length": (bool, False),
               "sliding": (bool, False), "secure": (bool, False), "httponly": (bool, False),
               "samesite": ((str, bool), False), "path": (str, False), "domain": (str, False),
               "backend": (str, False), "absolute_timeout": (int, False), "idle_timeout": (int, False),
               "signed_in_never_cache": (bool, False), "remembered": (dict, False),
               "not_remembered": (dict, False)},
}
REQUIRED_SECTIONS = ("login", "signed_in", "policy")
TIMEOUTS = ("age", "absolute_timeout", "idle_timeout")
# Only the probe can modify a session without the site's own forms; renewal on reads is judged.
NO_WRITE = "black-box mode cannot modify the session (only the probe can); renewal is judged on reads"
NO_LOGOUT = "no [logout] in the black-box config"
NO_PUBLIC_PAGE = "no [pages] public in the black-box config (a page of the site that never touches the session)"
NO_NEVER_CACHE = ("the black-box policy does not say the signed-in page is never_cache ([policy] "
                  "signed_in_never_cache = true, as for Django's admin)")


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
    # Pages that give an anonymous visitor a session (a cart), where sign-in starts in the
    # session-fixation checks ([pages] anonymous_session; the login page is always one).
    anonymous_urls: tuple[str, ...] = ()
    remember: str = ""  # the "Remember me" checkbox's selector ([login] remember)
    signed_in_never_cache: bool = False  # the policy says the signed-in page is marked never_cache
    settings: dict = field(default_factory=dict)  # [policy]'s SESSION_* settings (the first profile's)
    profiles: tuple[Profile, ...] = ()
    ticks: dict = field(default_factory=dict)  # profile name -> the remember box ticked (True/False)
    django: str = "unknown"  # no probe to ask

    def signed_in(self, html: str) -> bool:
        return self.signed_in_text in html

    @property
    def password_selector(self) -> str:
        """The login form's password field: a page that still shows it did not sign anyone in."""
        return next(step.target for step in self.login if step.key == "[login] password_field")

    def target_for(self, profile: Profile) -> Target:
        """The site as this profile signs in to it: its policy, and its remember box set its way."""
        site = self
        if profile.name in self.ticks:
            site = dataclasses.replace(self, login=with_checkbox(self.login, self.remember, self.ticks[profile.name],
                                                                 "[login] remember"))
        lacks = profile.lacks()  # and what the black-box driver cannot do (drivers/blackbox.py)
        return Target(profile.name, BLACK_BOX, self.base_url, "", profile.session or self.settings, self.django,
                      profile.expiry, lacks=lacks, blackbox=site)

    def describe(self) -> dict:
        return {"mode": BLACK_BOX, "base_url": self.base_url, "config": str(self.source),
                "settings": self.settings, "login_url": self.login_url, "signed_in_url": self.signed_in_url,
                "remember": self.remember or None, "logout": [step.describe() for step in self.logout],
                "public": list(self.public_urls), "anonymous_session": list(self.anonymous_urls),
                "profiles": {p.name: p.summary for p in self.profiles}}


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
    ways = states(policy, bool(login.get("remember")))
    profiles = tuple(profile_for(state) for state in ways)
    pages = data.get("pages", {})
    login_url = urllib.parse.urljoin(base_url, login["url"])
    return BlackBoxConfig(
        base_url=base_url, source=path, login_url=login_url,
        login=(Step("goto", login_url, "[login] url"),
               Step("fill", login["username_field"], "[login] username_field", env[login["username_env"]]),
               Step("fill", login["password_field"], "[login] password_field", env[login["password_env"]]),
               Step("submit", login["submit"], "[login] submit")),
        username_env=login["username_env"], password_env=login["password_env"],
        signed_in_url=urllib.parse.urljoin(base_url, data["signed_in"]["url"]),
        signed_in_text=data["signed_in"]["text"], logout=_logout_steps(path, base_url, data.get("logout")),
        public_urls=tuple(urllib.parse.urljoin(base_url, u) for u in pages.get("public", [])),
        anonymous_urls=tuple(urllib.parse.urljoin(base_url, u) for u in pages.get("anonymous_session", [])),
        remember=login.get("remember", ""), signed_in_never_cache=policy.get("signed_in_never_cache", False),
        settings=ways[0].settings, profiles=profiles,
        ticks={p.name: state.ticked for p, state in zip(profiles, ways) if state.ticked is not None})


def _logout_steps(path: Path, base_url: str, logout: dict | None) -> tuple[Step, ...]:
    """[logout] steps: in order (open the page, open the menu, submit the form). Or the short form,
    url: a GET that signs out; with submit: that page, then a click on the button (Django's
    LogoutView and the admin's logout are POST-only, a form on a page)."""
    if logout is None:
        return ()
    if "steps" in logout:
        try:
            return parse_steps("logout", logout["steps"], base_url)
        except StepsError as exc:
            raise DeploymentError(f"black-box config {path}: {exc}") from None
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
    problems = _policy_problems(policy, remember=bool(data["login"].get("remember")))
    logout = data.get("logout")
    if logout is not None and ("steps" in logout) == ("url" in logout):
        problems.append("[logout] needs either url (and maybe submit) or steps, not both")
    elif logout is not None and "steps" in logout and "submit" in logout:
        problems.append("[logout] submit goes with url; with steps, make it the last step: { submit = \"...\" }")
    if policy.get("backend", "db") not in BACKENDS:
        problems.append(f"[policy] backend {policy['backend']!r} is not one of {', '.join(BACKENDS)}")
    if policy.get("samesite", "Lax") not in ("Strict", "Lax", "None", False):
        problems.append(f"[policy] samesite = {policy['samesite']!r}: use \"Strict\", \"Lax\", \"None\" or false")
    for name, urls in data.get("pages", {}).items():
        if not all(isinstance(u, str) and u for u in urls):
            problems.append(f"[pages] {name} must be a list of page URLs (relative to the base URL)")
    if not data["signed_in"]["text"].strip():
        problems.append("[signed_in] text must not be empty (every page would count as signed in)")
    name = policy.get("cookie_name", "sessionid")
    if name.startswith(("__Host-", "__Secure-")) and not policy.get("secure", False):
        problems.append(f"[policy] cookie_name {name!r} needs secure = true (browsers reject it otherwise)")
    if name.startswith("__Host-") and (policy.get("domain") or policy.get("path", "/") != "/"):
        problems.append(f"[policy] cookie_name {name!r} needs path = \"/\" and no domain")
    if problems:
        raise DeploymentError(f"black-box config {path}: {problems[0]}")


def _policy_problems(policy: dict, remember: bool) -> list[str]:
    """What is wrong in [policy] and its "Remember me" tables, in reading order."""
    problems = []
    tables = [k for k in ("remembered", "not_remembered") if k in policy]
    if tables and not remember:
        problems.append(f"[policy.{tables[0]}] needs [login] remember (the selector of the \"Remember me\" box)")
    for where, values in (("[policy]", policy), *((f"[policy.{k}]", policy[k]) for k in tables)):
        if where != "[policy]":
            for key, value in values.items():
                kind = SCHEMA["policy"].get(key, (None,))[0]
                if key not in STATE_KEYS:
                    problems.append(f"{where}: unknown key {key!r}; a sign-in state may set {', '.join(STATE_KEYS)}")
                elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                    problems.append(f"{where} {key} = {value!r} has the wrong type")
        for key in TIMEOUTS:
            value = values.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
                problems.append(f"{where} {key} must be a positive number of seconds")
    return problems
