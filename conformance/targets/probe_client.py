"""Ask a site's probe for its effective session settings, over plain HTTP (no browser): how the
suite learns what a deployment (or a reference server) is configured with."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

from ..protocol import PROBE_PATH, TOKEN_HEADER

TLS_HINT = " (a staging certificate? pass --ignore-https-errors)"


class ProbeUnavailable(Exception):
    """The probe did not answer as documented; the message says what to do. `kind` is
    "not-found" (404: no probe, or a wrong token; the probe cannot tell them apart on purpose),
    "unreachable", "http" or "not-json"."""

    def __init__(self, message: str, kind: str, url: str):
        super().__init__(message)
        self.kind, self.url = kind, url


def fetch_settings(base_url: str, token: str, timeout: float = 5.0, verify_tls: bool = True) -> dict:
    """The probe's settings/ answer: {"django": ..., "settings": {...}}. verify_tls=False is
    --ignore-https-errors (a staging certificate)."""
    url = f"{base_url}{PROBE_PATH}settings/"
    request = urllib.request.Request(url, headers={TOKEN_HEADER: token})
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
