"""Whether a check applies to a target: the one place that decides. A check applies when its
configuration rule accepts the target's promise (a browser-length cookie has no Max-Age to wait
out, ...) and the target offers everything the check needs (a way to modify the session, a
logout, a relaunchable browser, ...). Otherwise the check is skipped, with the reason."""

from __future__ import annotations

from ..targets.target import Target
from .check import Check


def skip_reason(check: Check, target: Target) -> str | None:
    """None when the check applies to this target; else why not, in one sentence."""
    if target.unavailable:
        return target.unavailable
    reason = check.applies(target.promise)
    if reason:
        return reason
    return next((target.lacks[need] for need in check.needs if need in target.lacks), None)
