"""Pure value objects for what was seen: raw Set-Cookie headers, what the server received and
stored, the browser's jar. No browser and no waiting here, so all of it is unit-testable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime


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


def split_set_cookie(header_values: list[str]) -> list[SetCookie]:
    """Firefox joins repeated Set-Cookie headers with newlines into one value; Chromium does not."""
    return [SetCookie.parse(line) for value in header_values for line in value.split("\n") if line.strip()]


@dataclass(frozen=True)
class JarCookie:
    """The browser's stored view of a cookie (supporting evidence only: the wire decides)."""

    name: str
    value: str
    expires: float  # seconds since the epoch; -1 for a session cookie
    domain: str
    path: str


@dataclass(frozen=True)
class Exchange:
    """One request to the probe: what the browser got back and what the server reported."""

    label: str
    url: str
    sent_at: float  # local clock, just before the request
    received_at: float  # local clock, when the response arrived
    status: int
    date_header: float | None
    set_cookies: tuple[SetCookie, ...]
    probe: dict  # the probe's JSON: cookie_header, session_cookie, accepted, stored, server_time
    jar: tuple[JarCookie, ...] = ()
    # Black-box steps are whole navigations (sign-in: a POST, redirects, the page's stylesheets);
    # sent_at/received_at time the last save among them, began_at when the first request left.
    began_at: float | None = None

    def session_set_cookie(self, name: str) -> SetCookie | None:
        found = [c for c in self.set_cookies if c.name == name]
        return found[-1] if found else None

    @property
    def cookie_header(self) -> str | None:
        return self.probe.get("cookie_header")

    @property
    def sent_session_cookie(self) -> str | None:
        """The session cookie value the server received (None: the browser did not send it)."""
        return self.probe.get("session_cookie")

    @property
    def accepted(self) -> bool:
        return bool(self.probe.get("accepted"))

    @property
    def stored(self) -> dict | None:
        return self.probe.get("stored")

    @property
    def clock_offset(self) -> float:
        """local - server clock, estimated at the midpoint of the request (used to map server
        deadlines onto the local clock that waits)."""
        server = self.probe.get("server_time")
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
            "stored_expiry": (self.stored or {}).get("expiry_date"),
            "jar_expires": None if jar is None else jar.expires,
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
