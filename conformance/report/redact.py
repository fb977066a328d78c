"""Black-box runs sign in with a real account, so its session cookie values are live credentials
(for as long as the site's age). Reports and failure lines show a short fingerprint instead:
enough to tell two values apart, useless to sign in with."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from ..judge.verdict import Verdict


EMPTY = '""'  # how Django writes a deleted session cookie's value


def fingerprint(value: str) -> str:
    return "<" + hashlib.sha256(value.encode()).hexdigest()[:8] + ">"


def redact(obj, name: str):
    """obj (str, list, tuple, dict, nested) with every `name=value` replaced by `name=<fingerprint>`
    (an empty or "" value, a deletion, is kept)."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}=([^;\s,|]*)")

    def one(match: re.Match) -> str:
        value = match.group(1)
        return f"{name}={value if value in ('', EMPTY) else fingerprint(value)}"

    def text(value: str) -> str:
        return pattern.sub(one, value)

    def walk(value):
        if isinstance(value, str):
            return text(value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(walk(v) for v in value)
        return value

    return walk(obj)


def redact_verdict(verdict: Verdict, name: str) -> Verdict:
    return dataclasses.replace(verdict, expected=redact(verdict.expected, name),
                               observed=redact(verdict.observed, name), evidence=redact(verdict.evidence, name),
                               note=redact(verdict.note, name))
