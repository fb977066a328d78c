"""A site the suite did not start: ask its probe for the effective session settings, and derive
the profiles to run from them.

The site's own configuration is one profile (judged by header arithmetic and the stored expiry
when its age is too long to wait out). Short per-session expiries that the probe sets on its own
session (set_expiry(3), set_expiry(0), a 3 s timedelta) are the others: they run the expiry,
renewal and replay checks in seconds through everything the deployment adds (its middleware,
its backend, its proxy), whatever its SESSION_COOKIE_AGE.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol import PROBE_PATH
from .probe_client import ProbeUnavailable, fetch_settings
from .profiles import ASYNC, RELAUNCH_COVERED, Profile, unavailable
from .promises import FILE, SIGNED_COOKIES
from .target import PROBE, Target


class DeploymentError(Exception):
    """The deployment cannot be run against as given; the message is one line naming the fix."""


WAYS_IN = ("install the probe and give its token (--probe-token, CONFORMANCE_PROBE_TOKEN or make PROBE_TOKEN=), "
           "or describe how to sign in (--blackbox FILE, CONFORMANCE_BLACKBOX or make BLACKBOX=); "
           "see README 'Run against your own deployment'")


@dataclass(frozen=True)
class Deployment:
    base_url: str  # ends with "/"
    token: str
    settings: dict  # effective SESSION_* settings, as the probe reported them
    django: str
    profiles: tuple[Profile, ...]

    def target_for(self, profile: Profile) -> Target:
        return Target(profile.name, PROBE, self.base_url, self.token, self.settings, self.django, profile.expiry,
                      lacks=profile.lacks(), session_api=profile.session_api,
                      unavailable=unavailable(profile, self.django))

    def describe(self) -> dict:
        """For the report: what was run against, and its configuration as reported."""
        return {"mode": PROBE, "base_url": self.base_url, "django": self.django, "settings": self.settings}


def normalize_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise DeploymentError(f"--base-url {url!r} must start with http:// or https://")
    return url if url.endswith("/") else url + "/"


def discover(base_url: str, token: str | None, verify_tls: bool = True) -> Deployment:
    """Fetch the probe's settings/ and derive the deployment's profiles. Raises DeploymentError
    with one line for an unreachable URL, a site without the probe, or a wrong token."""
    base_url = normalize_url(base_url)
    if not token:
        raise DeploymentError(f"no probe token for {base_url}: {WAYS_IN}")
    try:
        info = fetch_settings(base_url, token, verify_tls=verify_tls)
    except ProbeUnavailable as exc:
        if exc.kind == "not-found":
            raise DeploymentError(f"{base_url} has no conformance probe answering this token (404 at "
                                  f"{exc.url}): check the token, or {WAYS_IN}") from None
        raise DeploymentError(str(exc)) from None
    settings = info.get("settings")
    if not isinstance(settings, dict) or "SESSION_COOKIE_AGE" not in settings:
        raise DeploymentError(f"{base_url}{PROBE_PATH}settings/ did not report SESSION_* settings: "
                              "is it the conformance probe?")
    django = str(info.get("django", "?"))
    return Deployment(base_url, token, settings, django, profiles_for(settings))


def engine_label(engine: str) -> str:
    short = engine.rsplit(".", 1)[-1].replace("_", "-")
    return short if engine.startswith("django.contrib.sessions.backends.") else f"custom-{short}"


def profiles_for(settings: dict) -> tuple[Profile, ...]:
    """The deployment's own configuration, then the probe's short per-session expiries.

    Names state the configuration (they appear in test ids and the report):
    ``site-<backend>-age<N>[-browser-close][-save-every-request]``, plus ``-expiry3s``
    (set_expiry(3)), ``-expiry0`` (set_expiry(0)), ``-fixed3s`` (set_expiry(timedelta(3))) or
    ``-expiry3s-async`` (aset_expiry(3) from the probe's async views: Django 5.1's async session
    API, acycle_key() to sign in and aflush() to log out, whatever server the site runs on)."""
    engine = str(settings.get("SESSION_ENGINE", ""))
    at_close = bool(settings.get("SESSION_EXPIRE_AT_BROWSER_CLOSE"))
    every = bool(settings.get("SESSION_SAVE_EVERY_REQUEST"))
    base = (f"site-{engine_label(engine)}-age{int(settings.get('SESSION_COOKIE_AGE', 0))}"
            f"{'-browser-close' if at_close else ''}{'-save-every-request' if every else ''}")
    # Whole-second backends need the longer age so a renewal stays distinguishable (as the
    # reference site's age-4s-* profiles; see profiles.py).
    short = 4 if engine in (FILE, SIGNED_COOKIES) else 3
    out = [
        Profile(base, "the deployment's own session configuration (long ages by arithmetic)"),
        Profile(f"{base}-expiry{short}s", f"the probe's session with set_expiry({short})",
                expiry=(f"int:{short}",), withholds=RELAUNCH_COVERED),
        Profile(f"{base}-fixed{short}s", f"the probe's session with set_expiry(timedelta(seconds={short}))",
                expiry=(f"timedelta:{short}",), withholds=RELAUNCH_COVERED),
    ]
    if not at_close:
        out.append(Profile(f"{base}-expiry0", "the probe's session with set_expiry(0): browser-length",
                           expiry=("int:0",)))
    out.append(Profile(f"{base}-expiry{short}s-async", f"the probe's session with aset_expiry({short}) from async "
                       "views", expiry=(f"int:{short}",), withholds=RELAUNCH_COVERED, session_api=ASYNC))
    return tuple(out)
