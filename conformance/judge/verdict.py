"""Expected vs observed -> a graded verdict and its one-line message (pure).

pass     the documented promise holds
fail     a documented promise is broken
caveat   a limitation Django itself documents was observed (reported with the quote, not a failure)
skip     the check does not apply to this configuration (with the reason)
error    the harness could not observe what it needs (setup problem, not a verdict on Django)
"""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, CAVEAT, SKIP, ERROR = "pass", "fail", "caveat", "skip", "error"
ORDER = (ERROR, FAIL, CAVEAT, PASS, SKIP)  # worst first, for summaries


@dataclass(frozen=True)
class Verdict:
    kind: str
    expected: str = ""
    observed: str = ""
    evidence: list = field(default_factory=list)
    note: str = ""  # the caveat's doc quote, the skip reason, or the error
    facts: dict = field(default_factory=dict)  # structured observations for summaries

    @classmethod
    def skip(cls, reason: str) -> "Verdict":
        return cls(SKIP, note=reason)

    @classmethod
    def error(cls, reason: str, evidence: list | None = None) -> "Verdict":
        return cls(ERROR, note=reason, evidence=evidence or [])


def judge(ok: bool, expected: str, observed: str, evidence: list, caveat: str | None = None,
          facts: dict | None = None) -> Verdict:
    """pass when ok; otherwise caveat when Django documents this limitation, else fail."""
    kind = PASS if ok else CAVEAT if caveat else FAIL
    return Verdict(kind, expected, observed, evidence, note="" if ok else (caveat or ""), facts=facts or {})


def message(check_id: str, browser: str, profile: str, verdict: Verdict) -> str:
    """`<id> [chromium · age-2s-db] expected Max-Age=2, observed Max-Age=1209600 — Set-Cookie: ...`"""
    head = f"{check_id} [{browser} · {profile}]"
    if verdict.kind in (SKIP, ERROR) and not verdict.expected:
        return f"{head} {verdict.kind}: {verdict.note}"
    line = f"{head} expected {verdict.expected}; observed {verdict.observed}"
    proof = _evidence_line(verdict.evidence)
    if proof:
        line += f" — {proof}"
    if verdict.note:
        line += f" ({verdict.note})"
    return line


def _evidence_line(evidence: list) -> str:
    parts = []
    for step in evidence[:4]:
        if not isinstance(step, dict):
            parts.append(str(step))
            continue
        bits = [step.get("step", "?")]
        if step.get("set_cookie"):
            bits.append(f"Set-Cookie: {step['set_cookie']}")
        if "cookie_received" in step:
            bits.append(f"Cookie received: {step['cookie_received'] or '(none)'}")
        if "accepted" in step:
            # A request that carried no session cookie was not refused: there was nothing to refuse.
            sent = step.get("cookie_received") is not None or "cookie_received" not in step
            bits.append("server accepted" if step["accepted"] else "server refused" if sent else "no cookie sent")
        parts.append(" ".join(bits[:1]) + ": " + "; ".join(bits[1:]) if len(bits) > 1 else bits[0])
    return " | ".join(parts)
