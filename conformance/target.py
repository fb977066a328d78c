"""A site under test: where it is, how to reach its probe, and its effective session settings."""

from __future__ import annotations

import fnmatch
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .promises import Promise, promise_for

PROBE_PATH = "__conformance__/"
PROBE_HEADER = "X-Conformance-Token"
TLS_HINT = " (a staging certificate? pass --ignore-https-errors)"


class ProbeUnavailable(Exception):
    """The probe did not answer as documented; the message says what to do. `kind` is
    "not-found" (404: no probe, or a wrong token; the probe cannot tell them apart on purpose),
    "unreachable", "http" or "not-json"."""

    def __init__(self, message: str, kind: str, url: str):
        super().__init__(message)
        self.kind, self.url = kind, url


@dataclass(frozen=True)
class Target:
    name: str  # the profile name (reference site) or the deployment's label
    base_url: str  # ends with "/"
    token: str
    settings: dict  # effective SESSION_* settings, as the probe reported them
    django: str
    expiry: tuple[str, ...] = ()  # set_expiry() calls the probe makes at start
    skips: tuple[tuple[str, str], ...] = ()  # (check id glob, reason) this target leaves to others
    blackbox: object = None  # blackbox.BlackBox: no probe, sign in through the site's own pages

    def skip_reason(self, check_id: str) -> str | None:
        return next((why for pattern, why in self.skips if fnmatch.fnmatchcase(check_id, pattern)), None)

    @property
    def promise(self) -> Promise:
        return promise_for(self.settings, self.expiry)

    @property
    def same_clock(self) -> bool:
        """A loopback server shares this machine's clock."""
        return self.host == "localhost" or self.host.startswith("127.") or self.host == "::1"

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).hostname or ""

    def probe_url(self, action: str, params: list[tuple[str, str]] | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}{PROBE_PATH}{action + '/' if action else ''}{query}"

    def start_params(self) -> list[tuple[str, str]]:
        return [("expiry", spec) for spec in self.expiry]


def fetch_settings(base_url: str, token: str, timeout: float = 5.0, verify_tls: bool = True) -> dict:
    """The probe's settings/ answer: {"django": ..., "settings": {...}}. verify_tls=False is
    --ignore-https-errors (a staging certificate)."""
    url = f"{base_url}{PROBE_PATH}settings/"
    request = urllib.request.Request(url, headers={PROBE_HEADER: token})
    context = None
    if not verify_tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise ProbeUnavailable(f"{url} answered 404: the probe is not installed there, or the token "
                                   "is wrong (install conformance.probe, see README)", "not-found", url) from None
        raise ProbeUnavailable(f"{url} answered HTTP {exc.code}", "http", url) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        hint = TLS_HINT if isinstance(reason, ssl.SSLCertVerificationError) else ""
        raise ProbeUnavailable(f"cannot reach {base_url}: {reason}{hint}", "unreachable", url) from None
    except ValueError:
        raise ProbeUnavailable(f"{url} did not answer JSON: is it the conformance probe?", "not-json", url) from None
