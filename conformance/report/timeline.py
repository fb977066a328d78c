"""A scenario's session life on a time axis, for the HTML report: each request (when it left and
when its answer came, whether the browser sent the session cookie, whether the server accepted
it, the Set-Cookie it got and its Max-Age), the replays, and the deadlines the documentation
promises (the browser stops sending the cookie at the last Set-Cookie + Max-Age; the server
refuses the session at the last save + its age). Times are seconds from the first request."""

from __future__ import annotations

from ..exchange import Observation
from ..observe import timing
from ..targets.promises import Promise


def key(scenario: str, profile: str, browser: str) -> str:
    """How a report's `timelines` are keyed (a Result finds its own by its scenario, profile, browser)."""
    return f"{scenario} {profile} {browser}"


def timeline(obs: Observation, promise: Promise, profile: str, django: str) -> dict:
    cookie = promise.attributes.name
    if not obs.exchanges:
        return {}
    t0 = min(e.sent_at for e in obs.exchanges)
    events = []
    for e in obs.exchanges:
        sc = e.session_set_cookie(cookie)
        events.append({
            "label": e.label, "sent_s": round(e.sent_at - t0, 3), "received_s": round(e.received_at - t0, 3),
            "replay": e.label.startswith("replay"), "status": e.status,
            "cookie_sent": e.sent_session_cookie is not None, "accepted": e.accepted,
            "set_cookie": None if sc is None else {"max_age": sc.max_age, "deletes": sc.deletes,
                                                   "persistent": sc.persistent}})
    deadlines = []
    browser_side = [e for e in obs.exchanges if not e.label.startswith("replay")
                    and (sc := e.session_set_cookie(cookie)) is not None and not sc.deletes]
    if browser_side and (age := browser_side[-1].session_set_cookie(cookie).max_age) is not None:
        deadlines.append({"what": "browser stops sending it (last Set-Cookie + Max-Age)",
                          "at_s": round(browser_side[-1].received_at + age - t0, 3)})
    start = obs.step("start")
    if start is not None and promise.server_age is not None:
        save = start if promise.fixed_deadline else (
            timing.last_save(obs, cookie, promise.save_every_request) or start)
        deadlines.append({"what": f"server refuses it (last save + {promise.server_age} s)",
                          "at_s": round(timing.handled_at(obs, save) + promise.server_age - t0, 3)})
    if promise.absolute_timeout and start is not None:
        deadlines.append({"what": f"absolute timeout ({promise.absolute_timeout} s after sign-in)",
                          "at_s": round(timing.handled_at(obs, start) + promise.absolute_timeout - t0, 3)})
    return {"scenario": obs.scenario, "profile": profile, "browser": obs.browser, "django": django,
            "max_age": promise.max_age, "server_age": promise.server_age, "events": events,
            "deadlines": deadlines}
