"""What Django's documentation promises for a configuration (pure).

Input is the *effective* settings the probe reports (so a user's deployment is judged by its own
configuration, not by our profile table) plus the ``set_expiry()`` calls the probe made.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol import ExpirySpec

TWO_WEEKS = 1209600
SIGNED_COOKIES = "django.contrib.sessions.backends.signed_cookies"
FILE = "django.contrib.sessions.backends.file"

# The keys a black-box policy's idle and absolute timeouts travel under among the SESSION_* settings.
ABSOLUTE_TIMEOUT = "CONFORMANCE_ABSOLUTE_TIMEOUT"
IDLE_TIMEOUT = "CONFORMANCE_IDLE_TIMEOUT"
# False when a black-box config leaves its [policy] backend out (SESSION_ENGINE is then Django's
# default by assumption, not by knowledge).
ENGINE_KNOWN = "CONFORMANCE_ENGINE_KNOWN"

# Ages up to this are waited out in real time; longer ones are judged by header arithmetic
# and the stored expiry only (nobody waits two weeks in CI).
WAITABLE_AGE_S = 30


@dataclass(frozen=True)
class Attributes:
    name: str
    path: str
    domain: str | None
    secure: bool
    httponly: bool
    samesite: str | None  # "Lax" | "Strict" | "None" | None (attribute absent)


@dataclass(frozen=True)
class Promise:
    engine: str
    attributes: Attributes
    cookie_age: int  # SESSION_COOKIE_AGE
    max_age: int | None  # Max-Age the first Set-Cookie must carry; None = browser-length cookie
    max_age_slack: int  # Django floors a fixed date's remaining seconds, so N-1 is also right
    fixed_deadline: bool  # set_expiry(datetime | timedelta): activity never moves the deadline
    server_age: int  # seconds the server keeps an idle session after its last save
    save_every_request: bool
    # Not a Django setting: a black-box policy's "ends this long after sign-in, however active"
    # (OWASP's absolute timeout, done by middleware such as django-session-timeout's).
    absolute_timeout: int | None = None
    # Not a Django setting either: "ends after this long without a request", whatever the cookie's
    # age (auto-logout middlewares: django-auto-logout's IDLE_TIME, django-session-timeout's).
    idle_timeout: int | None = None
    # Why the cookie is browser-length: "SESSION_EXPIRE_AT_BROWSER_CLOSE" or "set_expiry(0)"
    # (a "Remember me" box left unticked); "" for a persistent cookie.
    browser_length_by: str = ""

    @property
    def browser_length(self) -> bool:
        return self.max_age is None

    @property
    def lifetime(self) -> str:
        """The cookie's promised lifetime in words, naming where a browser-length one comes from."""
        if not self.browser_length:
            return f"Max-Age={self.max_age}"
        return f"browser-length ({self.browser_length_by})" if self.browser_length_by else "browser-length"

    @property
    def resends_on_read(self) -> bool:
        """"If SESSION_SAVE_EVERY_REQUEST is True, the session cookie will be sent on every request." """
        return self.save_every_request

    @property
    def renews_on_read(self) -> bool:
        return self.save_every_request and not self.fixed_deadline

    @property
    def renews_on_write(self) -> bool:
        return not self.fixed_deadline

    @property
    def client_side_store(self) -> bool:
        """signed_cookies keeps no server-side record, so it can only check the signature's age."""
        return self.engine == SIGNED_COOKIES

    @property
    def whole_second_store(self) -> bool:
        """Backends that count a session's remaining life in whole seconds (the file backend via
        get_expiry_age(), signed_cookies via TimestampSigner's integer stamp), so they may end a
        session up to 1 s early. Used to keep timed steps clear of that second, not in verdicts
        (except where the docs name signed cookies' whole-second stamp)."""
        return self.engine in (SIGNED_COOKIES, FILE)

    @property
    def enforced_server_age(self) -> int:
        """The age the server can actually enforce: signed cookies go stale at SESSION_COOKIE_AGE only."""
        return self.cookie_age if self.client_side_store else self.server_age

    @property
    def waitable(self) -> bool:
        """The cookie's own age is short enough to wait out in the browser."""
        return self.max_age is not None and self.max_age <= WAITABLE_AGE_S

    @property
    def server_waitable(self) -> bool:
        return self.server_age <= WAITABLE_AGE_S


def promise_for(settings: dict, expiry: tuple[str, ...] = ()) -> Promise:
    """Derive the documented behaviour from effective settings and the set_expiry() calls made."""
    age = int(settings.get("SESSION_COOKIE_AGE", TWO_WEEKS))
    at_close = bool(settings.get("SESSION_EXPIRE_AT_BROWSER_CLOSE", False))
    custom = ExpirySpec("none")
    for spec in expiry:
        custom = ExpirySpec.parse(spec)  # later calls replace earlier ones, as set_expiry() does
    kind, n = custom.kind, custom.seconds
    by = "SESSION_EXPIRE_AT_BROWSER_CLOSE" if at_close else ""
    if kind == "none":
        max_age, server_age = (None if at_close else age), age
    elif kind == "int" and n == 0:
        # "the user's session cookie will expire when the user's Web browser is closed";
        # get_expiry_age(): "For sessions ... set to expire at browser close, this will equal
        # SESSION_COOKIE_AGE".
        max_age, server_age, by = None, age, "set_expiry(0)"
    else:
        max_age, server_age, by = n, n, ""
    samesite = settings.get("SESSION_COOKIE_SAMESITE", "Lax")
    return Promise(
        engine=settings.get("SESSION_ENGINE", "django.contrib.sessions.backends.db"),
        attributes=Attributes(
            name=settings.get("SESSION_COOKIE_NAME", "sessionid"),
            path=settings.get("SESSION_COOKIE_PATH", "/"),
            domain=settings.get("SESSION_COOKIE_DOMAIN") or None,
            secure=bool(settings.get("SESSION_COOKIE_SECURE", False)),
            httponly=bool(settings.get("SESSION_COOKIE_HTTPONLY", True)),
            samesite=samesite if samesite else None,
        ),
        cookie_age=age,
        max_age=max_age,
        max_age_slack=1 if kind in ("datetime", "timedelta") else 0,
        fixed_deadline=kind in ("datetime", "timedelta"),
        server_age=server_age,
        save_every_request=bool(settings.get("SESSION_SAVE_EVERY_REQUEST", False)),
        absolute_timeout=settings.get(ABSOLUTE_TIMEOUT),
        idle_timeout=settings.get(IDLE_TIMEOUT),
        browser_length_by=by,
    )
