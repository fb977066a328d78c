"""A site under test, for one profile: where it is, how the suite reaches it (its mode), its
effective SESSION_* settings, and what it lacks that some checks need."""

from __future__ import annotations

import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from ..protocol import ASYNC_ACTIONS, ASYNC_PREFIX, PROBE_PATH
from .promises import Promise, promise_for

# How the suite reaches a site: the reference site it started, a deployment through its probe,
# or a deployment through its own sign-in pages.
REFERENCE, PROBE, BLACK_BOX = "reference", "probe", "black-box"
# A run's mode, not a target's: the suite starts a team's project and reaches it through the probe.
PROJECT = "project"
FRESH = "conformance-fresh"  # the query parameter that makes the suite's own requests unique
VISIT = "conformance-visit"  # the one that makes a cache-safety scenario's pages its own


def fresh(url: str) -> str:
    """This URL, made unique (so no cache can answer it) with a parameter sites ignore."""
    return with_param(url, FRESH, secrets.token_hex(6))


def plain(url: str) -> str:
    """The URL as the user wrote it: without the suite's cache-busting parameter (for messages)."""
    return re.sub(rf"[?&]{FRESH}=[0-9a-f]+$", "", re.sub(rf"([?&]){FRESH}=[0-9a-f]+&", r"\1", url))


def with_param(url: str, name: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


@dataclass(frozen=True)
class Target:
    profile: str  # the profile this target serves
    mode: str  # REFERENCE | PROBE | BLACK_BOX
    base_url: str  # ends with "/"
    token: str  # the probe's token ("" in black-box mode)
    settings: dict  # effective SESSION_* settings: as the probe reported them, or the policy's
    django: str  # the site's Django version ("unknown" without a probe)
    expiry: tuple[str, ...] = ()  # set_expiry() calls the probe makes at start
    # capability -> why this target does not offer it (targets/capabilities.py)
    lacks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    blackbox: object = None  # targets.blackbox_config.BlackBoxConfig in black-box mode
    # drivers.sign_ins.SignInPace in black-box mode: how fast the run signs in to this site (one
    # object for all of a site's targets and the whole run, rehearsal included).
    sign_in_pace: object = None
    session_api: str = "sync"  # the probe's views this target is reached through (profiles.SYNC | ASYNC)
    # Why no check can run on this target at all (an async profile on a Django without the async
    # session API): every check is skipped with it.
    unavailable: str = ""

    @property
    def promise(self) -> Promise:
        return promise_for(self.settings, self.expiry)

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).hostname or ""

    @property
    def same_clock(self) -> bool:
        """A loopback server shares this machine's clock."""
        return self.host == "localhost" or self.host.startswith("127.") or self.host == "::1"

    @property
    def live_credentials(self) -> bool:
        """Its session cookies sign a real account in: reports show fingerprints, not values."""
        return self.mode == BLACK_BOX

    def probe_url(self, action: str, params: list[tuple[str, str]] | None = None, fresh: bool = False) -> str:
        """The probe's URL for an action; fresh: unique, so that no cache (the browser's, a proxy's,
        the site's) can answer it: the suite's own requests must reach the server."""
        params = [*(params or ()), *([(FRESH, secrets.token_hex(6))] if fresh else [])]
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        prefix = ASYNC_PREFIX if self.session_api == "async" and action in ASYNC_ACTIONS else ""
        return f"{self.base_url}{PROBE_PATH}{prefix}{action + '/' if action else ''}{query}"

    def page_url(self, kind: str, visit: str = "") -> str:
        """A probe page (conformance/probe/pages.py): the same URL for every visitor of one scenario,
        on purpose (`visit` names the scenario, so that its first visitor is the first to ask)."""
        return f"{self.base_url}{PROBE_PATH}page/{kind}/" + (f"?{VISIT}={visit}" if visit else "")

    def start_params(self) -> list[tuple[str, str]]:
        return [("expiry", spec) for spec in self.expiry]
