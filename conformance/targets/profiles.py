"""The documented session configurations, as data.

A profile is what the reference site is started with (its ``SESSION_*`` settings) plus how the
probe starts the session (the ``set_expiry()`` calls, in order). Names are stable: they appear in
test ids, in ``--profile`` and in the report, so never rename one. Other profiles come only from
a plugin's ``pytest_conformance_profiles`` hook (conformance/plugin/hookspecs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..protocol import ASYNC_SINCE
from .capabilities import BACK_FORWARD_CACHE, DJANGO_DEFAULTS, RELAUNCH

SYNC, ASYNC = "sync", "async"
NOT_DEFAULTS = ("the site's own settings: Django's documented defaults are judged where a site sets none "
                "(the reference site's default-two-weeks)")

ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached-db": "django.contrib.sessions.backends.cached_db",
    "file": "django.contrib.sessions.backends.file",
    "signed-cookies": "django.contrib.sessions.backends.signed_cookies",
}

TWO_WEEKS = 60 * 60 * 24 * 7 * 2  # Django's default SESSION_COOKIE_AGE

# A real relaunch is a whole browser start (Firefox: ~3 s of CPU); the attribute profiles have
# nothing to add to what default-two-weeks proves about a persistent cookie surviving it.
RELAUNCH_COVERED = ((RELAUNCH, "a persistent cookie surviving a real relaunch is checked on "
                               "default-two-weeks; this profile is about cookie attributes"),)


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    session: dict = field(default_factory=dict)  # SESSION_* overrides for the site
    expiry: tuple[str, ...] = ()  # probe start specs (conformance.protocol.ExpirySpec), in order
    # (capability, reason): what this profile leaves to others (targets/capabilities.py)
    withholds: tuple[tuple[str, str], ...] = ()
    host: str | None = None  # loopback address to serve on; None: one of its own (see reference.py)
    # The reference server's Django settings module: the reference site's own, or (only in a
    # profile a plugin adds, such as the project's test apparatus) another one built on it.
    site_settings: str = "target_site.settings"
    # How the probe's views touch the session: SYNC, or ASYNC (Django 5.1's async session API:
    # aset_expiry(), acycle_key() as alogin() calls it, aflush() as alogout() does), the
    # reference site then served by an ASGI server, as sites with async views are.
    session_api: str = "sync"
    # The site sets nothing but the engine: Django's documented defaults are judged on it.
    defaults: bool = False

    @property
    def settings(self) -> dict:
        return dict(self.session)

    def lacks(self) -> dict:
        """What a target of this profile lacks (targets/capabilities.py), each with its reason."""
        return {**dict(self.withholds), **({} if self.defaults else {DJANGO_DEFAULTS: NOT_DEFAULTS})}


# The backend profiles use 4 s, not 3: file and signed_cookies count in whole seconds, and judging
# renewal needs the renewed deadline (activity + age - 1 s) to fall well after the original
# deadline plus its margin (see timing.ACTIVITY_FRACTION).
def _backend_profiles() -> list[Profile]:
    out = []
    for key, engine in ENGINES.items():
        out.append(Profile(
            f"age-4s-{key}", f"SESSION_COOKIE_AGE=4 on the {key} backend",
            {"SESSION_ENGINE": engine, "SESSION_COOKIE_AGE": 4}))
        out.append(Profile(
            f"set-expiry-int-{key}", f"set_expiry(4) under the default two-week age, {key} backend",
            {"SESSION_ENGINE": engine}, ("int:4",)))
    return out


# The async session API, judged by the same checks as its sync twin: every backend implements its
# own async load, create, save and delete (reached through aget(), acycle_key() and aflush()), and
# aset_expiry() takes each kind of value. Served by uvicorn. The Back button after logout walks the
# probe's pages, which are sync views on every profile: the sync twins' walk already judges them
# (the walk is the run's costliest group).
ASYNC_WITHHOLDS = ((BACK_FORWARD_CACHE, "the Back-button walk uses the probe's pages, sync views on every profile: "
                                        "judged on the sync twin"),)


def _async_profiles() -> list[Profile]:
    out = [Profile(f"async-set-expiry-int-{key}", f"aset_expiry(4) from async views (uvicorn), {key} backend",
                   {"SESSION_ENGINE": engine}, ("int:4",), session_api=ASYNC, withholds=ASYNC_WITHHOLDS)
           for key, engine in ENGINES.items()]
    return out + [
        Profile("async-set-expiry-zero", "aset_expiry(0) from async views (uvicorn): browser-length, "
                "SESSION_COOKIE_AGE=3", {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 3}, ("int:0",),
                session_api=ASYNC, withholds=ASYNC_WITHHOLDS),
        Profile("async-set-expiry-none", "aset_expiry(300) then aset_expiry(None) from async views (uvicorn): "
                "back to SESSION_COOKIE_AGE=3", {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 3},
                ("int:300", "none"), session_api=ASYNC, withholds=ASYNC_WITHHOLDS),
        Profile("async-set-expiry-timedelta", "aset_expiry(timedelta(seconds=3)) from async views (uvicorn), "
                "default age", {"SESSION_ENGINE": ENGINES["db"]}, ("timedelta:3",), session_api=ASYNC,
                withholds=ASYNC_WITHHOLDS),
    ]


PROFILES: tuple[Profile, ...] = (
    *_backend_profiles(),
    Profile("default-two-weeks", "Django's defaults: two-week persistent cookie (checked by arithmetic)",
            {"SESSION_ENGINE": ENGINES["db"]}, defaults=True),
    Profile("browser-close", "SESSION_EXPIRE_AT_BROWSER_CLOSE=True, SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
             "SESSION_COOKIE_AGE": 3}),
    Profile("browser-close-signed-cookies",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE=True, SESSION_COOKIE_AGE=3, signed_cookies backend",
            {"SESSION_ENGINE": ENGINES["signed-cookies"], "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
             "SESSION_COOKIE_AGE": 3},
            withholds=((RELAUNCH, "the browser treats this cookie exactly as browser-close's (same "
                                  "attributes, no expiry); a real relaunch is checked there"),)),
    Profile("browser-close-20s",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE=True, SESSION_COOKIE_AGE=20: long enough to outlive a browser relaunch, "
            "so that a session a restoring browser brings back is seen honoured, and then ended by the server",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 20}),
    Profile("browser-close-set-expiry-int",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE=True overridden per session by set_expiry(4): a persistent 4 s cookie",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 3},
            ("int:4",)),
    Profile("save-every-request", "SESSION_SAVE_EVERY_REQUEST=True, SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_SAVE_EVERY_REQUEST": True,
             "SESSION_COOKIE_AGE": 3}),
    Profile("per-site-cache", "Django's per-site cache middleware in front of every view, SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 3}, site_settings="target_site.cache_settings"),
    Profile("per-site-cache-save-every-request",
            "Django's per-site cache middleware with SESSION_SAVE_EVERY_REQUEST=True, SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_SAVE_EVERY_REQUEST": True, "SESSION_COOKIE_AGE": 3},
            site_settings="target_site.cache_settings"),
    Profile("save-when-modified", "SESSION_SAVE_EVERY_REQUEST=False (the default), SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_SAVE_EVERY_REQUEST": False,
             "SESSION_COOKIE_AGE": 3}),
    Profile("set-expiry-zero", "set_expiry(0): browser-length cookie, SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 3}, ("int:0",)),
    Profile("set-expiry-none", "set_expiry(300) then set_expiry(None): back to SESSION_COOKIE_AGE=3",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 3}, ("int:300", "none")),
    Profile("set-expiry-datetime", "set_expiry(now + 3 s) as a datetime, default age",
            {"SESSION_ENGINE": ENGINES["db"]}, ("datetime:3",)),
    Profile("set-expiry-timedelta", "set_expiry(timedelta(seconds=3)), default age",
            {"SESSION_ENGINE": ENGINES["db"]}, ("timedelta:3",)),
    *_async_profiles(),
    Profile("cookie-attributes", "custom name, Path, Domain, Secure, HttpOnly off, SameSite=Strict",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_NAME": "conformance_sid",
             "SESSION_COOKIE_PATH": "/__conformance__/", "SESSION_COOKIE_DOMAIN": "127.0.0.1",
             "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": False,
             "SESSION_COOKIE_SAMESITE": "Strict"}, withholds=RELAUNCH_COVERED, host="127.0.0.1"),
    Profile("samesite-none", "SESSION_COOKIE_SAMESITE='None' with SESSION_COOKIE_SECURE=True",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_SAMESITE": "None",
             "SESSION_COOKIE_SECURE": True}, withholds=RELAUNCH_COVERED),
    Profile("samesite-off", "SESSION_COOKIE_SAMESITE=False: no SameSite attribute at all",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_SAMESITE": False}, withholds=RELAUNCH_COVERED),
)

def unavailable(profile: Profile, django: str) -> str:
    """Why this profile cannot run on a site of this Django version ("" when it can)."""
    if profile.session_api != ASYNC:
        return ""
    try:
        version = tuple(int(part) for part in django.split(".")[:2])
    except ValueError:
        return ""
    if version >= ASYNC_SINCE:
        return ""
    return (f"the async session API (aset_expiry(), acycle_key(), aflush()) is new in Django "
            f"{'.'.join(map(str, ASYNC_SINCE))}; this site runs Django {django}")


BY_NAME = {p.name: p for p in PROFILES}
assert len(BY_NAME) == len(PROFILES), "duplicate profile name"


def select(names: tuple[str, ...] | None, catalogue: tuple[Profile, ...] = PROFILES) -> tuple[Profile, ...]:
    """The profiles named (all of the catalogue when None); unknown names raise KeyError listing them."""
    if not names:
        return catalogue
    known = {p.name: p for p in catalogue}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    return tuple(known[n] for n in names)
