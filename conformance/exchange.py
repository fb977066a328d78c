"""Pure value objects for what was seen: raw Set-Cookie headers, what the server said it received
and stored (a Reply), the browser's jar, and a scenario's Observation. Drivers make them, timing
and the checks read them. No browser and no waiting here, so all of it is unit-testable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from .protocol import STORED_FIELDS

# Response headers that say how caches may treat a response (kept on every Exchange).
CACHE_HEADERS = ("cache-control", "vary", "expires", "pragma", "age", "x-cache", "x-cache-status",
                 "cf-cache-status", "x-proxy-cache")


def cache_headers(headers: list[dict]) -> dict:
    """{lower-case name: value} of the caching headers among Playwright's headers_array()."""
    out: dict = {}
    for h in headers:
        name = h["name"].lower()
        if name in CACHE_HEADERS:
            out[name] = f"{out[name]}, {h['value']}" if name in out else h["value"]
    return out


@dataclass(frozen=True)
class SetCookie:
    """One Set-Cookie header line, attributes exactly as the server wrote them."""

    raw: str
    name: str
    value: str
    attrs: dict  # lower-cased attribute name -> value (True for flags)

    @classmethod
    def parse(cls, raw: str) -> "SetCookie":
        pair, *parts = [p.strip() for p in raw.split(";")]
        name, _, value = pair.partition("=")
        attrs: dict = {}
        for part in parts:
            if not part:
                continue
            key, eq, val = part.partition("=")
            attrs[key.strip().lower()] = val.strip() if eq else True
        return cls(raw=raw, name=name.strip(), value=value.strip().strip('"'), attrs=attrs)

    @property
    def max_age(self) -> int | None:
        value = self.attrs.get("max-age")
        return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else None

    @property
    def expires(self) -> float | None:
        value = self.attrs.get("expires")
        if not isinstance(value, str):
            return None
        try:
            return parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None

    @property
    def deletes(self) -> bool:
        """Django deletes with an empty value, Max-Age=0 and an Expires in 1970."""
        return self.value == "" or (self.max_age is not None and self.max_age <= 0)

    @property
    def persistent(self) -> bool:
        return "max-age" in self.attrs or "expires" in self.attrs

    def shape(self, keep_max_age: bool = True) -> str:
        """The header as the server shaped it, without what differs on every response (the value,
        the Expires date; Max-Age too when it counts down to a fixed date): stable from run to run,
        so two runs (two Django versions) can be compared on it."""
        parts = [f"{self.name}={'<value>' if self.value else ''}"]
        for key, value in self.attrs.items():
            if key == "expires" or (key == "max-age" and not keep_max_age):
                parts.append(f"{key}=<{'date' if key == 'expires' else 'seconds'}>")
            else:
                parts.append(key if value is True else f"{key}={value}")
        return "; ".join(parts)


def split_set_cookie(header_values: list[str]) -> list[SetCookie]:
    """Firefox joins repeated Set-Cookie headers with newlines into one value; Chromium does not."""
    return [SetCookie.parse(line) for value in header_values for line in value.split("\n") if line.strip()]


SESSION_COOKIE = "session cookie"  # how a jar cookie without an expiry is shown


@dataclass(frozen=True)
class JarCookie:
    """The browser's stored view of a cookie (supporting evidence only: the wire decides)."""

    name: str
    value: str
    expires: float  # seconds since the epoch; -1 for a session cookie
    domain: str
    path: str

    @property
    def session(self) -> bool:
        """Stored without an expiry (a browser-length cookie): its -1 is no date to compute with."""
        return self.expires == -1

    def shown_expiry(self) -> float | str:
        """The stored expiry as reports show it: a date, or "session cookie"."""
        return SESSION_COOKIE if self.session else self.expires


@dataclass(frozen=True)
class Stored:
    """What the backend holds for the session under test (the probe's `stored`)."""

    expiry_age: float | None = None
    expiry_date: float | None = None  # seconds since the epoch
    browser_close: bool | None = None
    custom_expiry: object = None  # the raw `_session_expiry` value, if any
    backend_expire_date: float | None = None  # db-backed stores: the row's expire_date


@dataclass(frozen=True)
class Reply:
    """What the server said about one request, as far as the driver can tell. The probe reports
    all of it (its own clock and the stored expiry included); a black-box driver knows only what
    the browser sent and whether the page showed the user signed in."""

    action: str  # start | read | touch | logout
    cookie_header: str | None = None  # the raw Cookie header the server received
    session_cookie: str | None = None  # the session cookie's value in it (None: not sent)
    accepted: bool = False  # the server recognised the session under test
    own_session: bool = True  # the response concerns the session under test (a save of it counts)
    stored: Stored | None = None
    server_time: float | None = None  # the server's clock when it handled the request
    page: str | None = None  # what a probe page showed of the session (its visitor token, or "anonymous")
    # The session reaches a signed-in account (the probe's signin/ mark; black-box: the page said so).
    signed_in: bool = False
    touches: int | None = None  # the probe's count of saved writes (touch/) in the session it loaded

    @classmethod
    def from_probe(cls, body: dict) -> "Reply":
        """The probe's JSON answer (conformance.protocol.ANSWER_FIELDS)."""
        stored = body.get("stored")
        return cls(action=body.get("action", ""), cookie_header=body.get("cookie_header"),
                   session_cookie=body.get("session_cookie"), accepted=bool(body.get("accepted")),
                   own_session=bool(body.get("probe_session", True)),
                   stored=Stored(**{k: stored.get(k) for k in STORED_FIELDS}) if isinstance(stored, dict) else None,
                   server_time=body.get("server_time"), signed_in=bool(body.get("signed_in")),
                   touches=body.get("touches"),
                   page=body.get("visitor") or (
                       "anonymous" if body.get("action") in ("welcome", "recall", "account", "logout") else None))


@dataclass(frozen=True)
class Exchange:
    """One request: what the browser got back (status, headers, its jar after) and the Reply."""

    label: str
    url: str
    sent_at: float  # local clock, just before the request
    received_at: float  # local clock, when the response arrived
    status: int
    date_header: float | None
    set_cookies: tuple[SetCookie, ...]
    reply: Reply
    jar: tuple[JarCookie, ...] = ()
    # Black-box steps are whole navigations (sign-in: a POST, redirects, the page's stylesheets);
    # sent_at/received_at time the last save among them, began_at when the first request left.
    began_at: float | None = None
    headers: dict = field(default_factory=dict)  # the response's caching headers (CACHE_HEADERS)
    visitor: str = ""  # who made it, when a scenario has several visitors ("" = its main one)

    def session_set_cookie(self, name: str) -> SetCookie | None:
        found = [c for c in self.set_cookies if c.name == name]
        return found[-1] if found else None

    @property
    def cookie_header(self) -> str | None:
        return self.reply.cookie_header

    @property
    def sent_session_cookie(self) -> str | None:
        """The session cookie value the server received (None: the browser did not send it)."""
        return self.reply.session_cookie

    @property
    def accepted(self) -> bool:
        return self.reply.accepted

    @property
    def stored(self) -> Stored | None:
        return self.reply.stored

    @property
    def server_time(self) -> float | None:
        return self.reply.server_time

    @property
    def clock_offset(self) -> float:
        """local - server clock, estimated at the midpoint of the request (used to map server
        deadlines onto the local clock that waits)."""
        server = self.reply.server_time
        return 0.0 if server is None else (self.sent_at + self.received_at) / 2 - server

    def jar_cookie(self, name: str) -> JarCookie | None:
        return next((c for c in self.jar if c.name == name), None)

    def evidence(self, name: str) -> dict:
        sc = self.session_set_cookie(name)
        jar = self.jar_cookie(name)
        return {
            "step": self.label,
            "at_s": round(self.received_at, 3),
            "status": self.status,
            "set_cookie": sc.raw if sc else None,
            "cookie_received": self.cookie_header,
            "accepted": self.accepted,
            "stored_expiry": self.stored.expiry_date if self.stored else None,
            "jar_expires": None if jar is None else jar.shown_expiry(),
            **({"headers": self.headers} if self.headers else {}),
            **({"visitor": self.visitor} if self.visitor else {}),
            **({"page_showed": self.reply.page} if self.reply.page else {}),
        }


@dataclass
class Observation:
    """Everything one scenario saw, in order, plus free-form notes (e.g. restart timings)."""

    scenario: str
    profile: str
    browser: str
    settings: dict
    expiry: tuple[str, ...]
    exchanges: list[Exchange] = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    started_at: float = 0.0
    finished_at: float = 0.0
    # 0.0 when the server shares this machine's clock (a loopback target); None: estimate it
    # from the exchanges (see timing.clock_offset).
    known_clock_offset: float | None = None
    # The browser runs on this machine (not behind --connect), so its own timestamps (Playwright's
    # request timing) are on our clock.
    browser_clock_shared: bool = True

    def step(self, label: str) -> Exchange | None:
        return next((e for e in self.exchanges if e.label == label), None)

    def steps(self, prefix: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.label.startswith(prefix)]
