"""A black-box config's [policy], as profiles: the SESSION_* settings it stands for (so promises,
checks and verdicts are the same as in probe mode), one profile per way of signing in that
promises its own policy ("Remember me" ticked or not), and what each profile's timeouts keep the
longer timelines from judging."""

from __future__ import annotations

from dataclasses import dataclass

from .capabilities import UNINTERRUPTED
from .profiles import Profile
from .promises import ABSOLUTE_TIMEOUT, ENGINE_KNOWN, IDLE_TIMEOUT

BACKENDS = {"db": "django.contrib.sessions.backends.db", "cache": "django.contrib.sessions.backends.cache",
            "cached_db": "django.contrib.sessions.backends.cached_db",
            "file": "django.contrib.sessions.backends.file",
            "signed_cookies": "django.contrib.sessions.backends.signed_cookies"}
# The keys a "Remember me" state may set differently from [policy] ([policy.remembered] and
# [policy.not_remembered]): how long the session lasts; the cookie's name and attributes are the site's.
STATE_KEYS = ("age", "browser_length", "sliding", "idle_timeout", "absolute_timeout")
# What an unticked "Remember me" box does on Wagtail's admin, django-allauth and most login
# views written after them: set_expiry(0), a browser-length cookie (the server keeps the age).
NOT_REMEMBERED = ("int:0",)


@dataclass(frozen=True)
class SignInState:
    """One way of signing in: the remember box ticked (True), unticked (False) or absent (None),
    and the policy the site promises for it."""

    ticked: bool | None
    settings: dict
    expiry: tuple[str, ...] = ()  # set_expiry() calls the site makes at sign-in ("int:0": unticked)

    @property
    def suffix(self) -> str:
        return {None: "", True: "-remembered", False: "-not-remembered"}[self.ticked]


def states(policy: dict, remember: bool) -> tuple[SignInState, ...]:
    """Without a remember box, one state: [policy]. With one, ticked gives [policy] (with
    [policy.remembered] on top) and unticked [policy.not_remembered] on top of [policy], or, if the
    config does not say, set_expiry(0)."""
    base = {k: v for k, v in policy.items() if not isinstance(v, dict)}
    if not remember:
        return (SignInState(None, settings_for(base)),)
    unticked = policy.get("not_remembered")
    return (SignInState(True, settings_for({**base, **policy.get("remembered", {})})),
            SignInState(False, settings_for({**base, **(unticked or {})}), () if unticked else NOT_REMEMBERED))


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
        IDLE_TIMEOUT: policy.get("idle_timeout"),
        ENGINE_KNOWN: "backend" in policy,
    }


def timeline_s(age: int) -> int:
    """How long after sign-in the expiry and renewal timelines may run: renewal acts at 60 % of
    the age and then waits out a whole renewed age, plus margins."""
    return 2 * age + 2


def profile_for(state: SignInState) -> Profile:
    """Named after what it promises: blackbox-<cookie>-age<N>[-browser-close][-sliding][-idle<N>]
    [-absolute<N>][-remembered | -not-remembered][-expiry0]."""
    s = state.settings
    name = (f"blackbox-{s['SESSION_COOKIE_NAME']}-age{s['SESSION_COOKIE_AGE']}"
            f"{'-browser-close' if s['SESSION_EXPIRE_AT_BROWSER_CLOSE'] else ''}"
            f"{'-sliding' if s['SESSION_SAVE_EVERY_REQUEST'] else ''}"
            f"{f'-idle{s[IDLE_TIMEOUT]}' if s[IDLE_TIMEOUT] else ''}"
            f"{f'-absolute{s[ABSOLUTE_TIMEOUT]}' if s[ABSOLUTE_TIMEOUT] else ''}"
            f"{state.suffix}{'-expiry0' if state.expiry == NOT_REMEMBERED else ''}")
    promised = "the policy the site promises for it"
    summary = {None: "the deployment's promised policy, judged through its own sign-in",
               True: f"signed in with \"Remember me\" ticked: {promised}",
               False: "signed in with \"Remember me\" unticked: "
                      + ("set_expiry(0), a browser-length cookie" if state.expiry else promised)}
    return Profile(name, summary[state.ticked], session=s, expiry=state.expiry, withholds=withholds(s))


def withholds(settings: dict) -> tuple[tuple[str, str], ...]:
    """The expiry and renewal checks expect the session to live to its idle deadline (renewed on a
    sliding site by the suite's own requests) with nothing but the cookie's age ending it: a
    timeout that ends it earlier would read as their failure. Those timeouts are judged on their own."""
    absolute, idle, age = settings[ABSOLUTE_TIMEOUT], settings[IDLE_TIMEOUT], settings["SESSION_COOKIE_AGE"]
    if idle and idle < age:
        return ((UNINTERRUPTED, f"the idle timeout ({idle} s) ends an idle session before its age ({age} s) is "
                                "up; the idle timeout is checked on its own (IDLE-01..03)"),)
    if absolute and absolute < timeline_s(age):
        return ((UNINTERRUPTED, f"the absolute timeout ({absolute} s) would end the session before this "
                                f"check's timeline (up to {timeline_s(age)} s) does; the absolute timeout is "
                                "checked on its own"),)
    return ()
