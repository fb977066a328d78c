"""The contract between the probe (a Django app inside the site) and the suite, in the standard
library only: both sides import this module, so the URL, the token header and the expiry grammar
cannot drift apart. The probe is installed into sites that have nothing but Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROBE_PATH = "__conformance__/"  # where a site mounts conformance.probe.urls
TOKEN_HEADER = "X-Conformance-Token"  # every probe request carries the site's token in it
TOKEN_SETTING = "CONFORMANCE_PROBE_TOKEN"  # the site's setting (and the suite's environment variable)

# The probe's actions also exist as async views using Django's async session API (5.1+:
# aset_expiry(), aget(), aset(), acycle_key() as alogin() calls it, aflush() as alogout() does),
# under this prefix: `async/start/`, ... A site on an older Django answers them 501.
ASYNC_PREFIX = "async/"
ASYNC_ACTIONS = ("start", "read", "touch", "signin", "logout")
ASYNC_SINCE = (5, 1)

# How long a session the probe's pages (page/welcome/) start lasts, whatever the site's age: those
# pages are about caches, not expiry.
PAGE_SESSION_S = 300

# start/read/touch/logout answer a JSON object with these fields.
ANSWER_FIELDS = ("action", "server_time", "cookie_header", "cookie_name", "session_cookie", "accepted",
                 "probe_session", "signed_in", "touches", "stored")
# touch/?fail=500 modifies the session, then answers 500 (Django must not save it: REN-06).
FAILED_WRITE_STATUS = 500
# `stored`, for a probe session: what the backend holds (null for any other session).
STORED_FIELDS = ("expiry_age", "expiry_date", "browser_close", "custom_expiry", "backend_expire_date")

EXPIRY_FORMS = "int:N, none, datetime:N, timedelta:N (N = integer seconds)"
_SPEC = re.compile(r"(int|datetime|timedelta):(-?\d+)\Z")


@dataclass(frozen=True)
class ExpirySpec:
    """One set_expiry() call, as the suite asks the probe for it (`start/?expiry=SPEC`):
    `int:N` is set_expiry(N), `none` set_expiry(None), `datetime:N` set_expiry(now + N s) as a
    datetime, `timedelta:N` set_expiry(timedelta(seconds=N))."""

    kind: str  # "int" | "none" | "datetime" | "timedelta"
    seconds: int | None = None

    @classmethod
    def parse(cls, spec: str) -> "ExpirySpec":
        if spec == "none":
            return cls("none")
        match = _SPEC.match(spec)
        if match is None:
            raise ValueError(f"bad expiry spec {spec!r}; accepted forms: {EXPIRY_FORMS}")
        return cls(match[1], int(match[2]))

    def __str__(self) -> str:
        return "none" if self.kind == "none" else f"{self.kind}:{self.seconds}"
