"""cache-safety: no response that sets the session cookie, or depends on the session, may be served
to someone else. A shared cache (a CDN, a reverse proxy, Django's own cache middleware) that
stores such a response and replays it hands one user's session, or their page, to the next
visitor. Judged two ways: by the headers (what a cache following RFC 9111 may store) and by
behaviour (separate visitors asking for the same pages), because headers can look right while a
cache in front of the site ignores them.

Its scenarios: one visitor asks for each kind of page (cache-pages); two visitors, and an
anonymous third, ask for the same pages (cache-visitors); a census of every session key the run
was handed (session-census); and the Back button after logout, in a browser with its
back/forward cache on, as users have it (cache-back).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import defaultdict
from contextlib import asynccontextmanager

from playwright.async_api import Error as PlaywrightError

from conformance.drivers import DriverError, open_driver
from conformance.drivers.base import PAGESHOW_SCRIPT
from conformance.exchange import Observation
from conformance.judge.check import DJANGO_DOCS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe import timing
from conformance.observe.pool import close_quietly
from conformance.observe.scenario import scenario
from conformance.observe.stage import ScenarioInvalid, Stage
from conformance.observe.watchdog import Stuck, bounded
from conformance.targets.capabilities import BACK_FORWARD_CACHE, LOGOUT, NEVER_CACHE_PAGE, PUBLIC_PAGE
from conformance.targets.promises import promise_for

CACHE_DOCS = DJANGO_DOCS + "topics/cache/"
RFC9111 = "https://www.rfc-editor.org/rfc/rfc9111"
NEVER_CACHE_DOC = DJANGO_DOCS + "topics/http/decorators/#django.views.decorators.cache.never_cache"
WSTG_SESS_06 = ("https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/"
                "06-Session_Management_Testing/06-Testing_for_Logout_Functionality")
BFCACHE_OFF_SWITCH = "--disable-back-forward-cache"  # Playwright's default Chromium switch
# Targets walked through at once in the back/forward-cache browser: more, on two cores, stretched a
# sign-in-to-account walk past a 3 s signed-cookie session (measured at 6).
BACK_SLOTS = 2


# --- what a shared cache may do with a response (RFC 9111) -------------------------------------

def _directives(value: str | None) -> dict[str, str | bool]:
    out: dict[str, str | bool] = {}
    for part in (value or "").split(","):
        name, eq, arg = part.strip().partition("=")
        if name:
            out[name.strip().lower()] = arg.strip().strip('"').lower() if eq else True
    return out


def shared_cache_rule(headers: dict, cookie_only: bool) -> tuple[bool, str]:
    """(safe, why) for a response a shared cache sees. Safe when a shared cache may not store it
    (Cache-Control no-store, or unqualified private: RFC 9111 §5.2.2.5, §5.2.2.7), or must key it on
    the request's cookies (Vary: Cookie, or Vary: *, which never matches: §4.1). With cookie_only
    (what must not leak is the Set-Cookie), private="Set-Cookie" also does: that field is never stored."""
    cc = _directives(headers.get("cache-control"))
    vary = {v.strip().lower() for v in (headers.get("vary") or "").split(",") if v.strip()}
    if "no-store" in cc:
        return True, "Cache-Control: no-store"
    if cc.get("private") is True:
        return True, "Cache-Control: private"
    if cookie_only and isinstance(cc.get("private"), str) and "set-cookie" in cc["private"].split():
        return True, 'Cache-Control: private="Set-Cookie"'
    if "*" in vary:
        return True, "Vary: *"
    if "cookie" in vary:
        return True, "Vary: Cookie"
    return False, "neither Vary: Cookie nor Cache-Control: private or no-store"


def _shown_headers(headers: dict) -> str:
    shown = [f"{k.title()}: {headers[k]}" for k in ("cache-control", "vary", "age", "x-cache") if k in headers]
    return "; ".join(shown) or "no Cache-Control, no Vary"


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:8]


def handed_key(exchange, name: str) -> str | None:
    """The session key this response handed its visitor, if any: a session cookie set in answer to
    a request that had no live session of its own (none sent, or one the server refused). A live
    session's cookie set again (renewed, re-signed: signed cookies re-sign the same data to the same
    value within a second) is that session going on, not a session handed out; nor is an empty
    session (a refused signed cookie is answered with the empty session signed, the same value for
    everyone refused in that second: there is nothing in it to hand out)."""
    sc = exchange.session_set_cookie(name)
    if sc is None or sc.deletes or not exchange.reply.own_session:
        return None
    if exchange.sent_session_cookie is not None and (exchange.accepted or exchange.sent_session_cookie == sc.value):
        return None
    return sc.value


# --- scenarios ---------------------------------------------------------------------------------

@scenario("cache-pages")
async def cache_pages(stage: Stage) -> None:
    """One visitor, each kind of page in turn: a public page before any session, a page that
    starts one, one that shows it, the public page again with the session cookie, the never_cache
    page."""
    public, visit = PUBLIC_PAGE not in stage.target.lacks, secrets.token_hex(4)
    async with stage.visitor() as v:
        if public:
            await v.page("public-anonymous", "public", visit=visit)
        welcome = await v.page("welcome", "welcome", visit=visit)
        recall = await v.page("recall", "recall", visit=visit)
        stage.require_shown(welcome, recall, "the page that shows the session", v.page_session_age)
        if public:
            await v.page("public", "public", visit=visit)
        account = await v.page("account", "account", visit=visit)
        stage.require_shown(welcome, account, "the never_cache page", v.page_session_age)


@scenario("cache-visitors")
async def cache_visitors(stage: Stage) -> None:
    """Visitor a asks for the pages first (a cache in front would store a's answers); then b, who
    shares nothing with a, asks for the same URLs; then c, anonymous, asks for the page that shows
    the session."""
    public, visit = PUBLIC_PAGE not in stage.target.lacks, secrets.token_hex(4)
    async with stage.visitor() as a:
        welcome = await a.page("a-welcome", "welcome", "a", visit)
        recall = await a.page("a-recall", "recall", "a", visit)
        stage.require_shown(welcome, recall, "visitor a's page that shows the session", a.page_session_age)
        if public:
            await a.page("a-public", "public", "a", visit)
        async with stage.other_visitor() as b:
            if public:
                await b.page("b-public", "public", "b", visit)
            welcome = await b.page("b-welcome", "welcome", "b", visit)
            recall = await b.page("b-recall", "recall", "b", visit)
            stage.require_shown(welcome, recall, "visitor b's page that shows the session", b.page_session_age)
        async with stage.other_visitor() as c:
            await c.page("c-recall", "recall", "c", visit)


@scenario("session-census", derived=True)
def session_census(key, outcomes) -> Observation:
    """Every session key the run was handed on this target, in every scenario and browser: a key
    counts as handed to a visitor when a response set it and the request had not sent it."""
    obs = Observation("session-census", key.target, key.browser, {}, ())
    keys: dict[str, set] = defaultdict(set)
    for other, outcome in outcomes.items():
        if other.target != key.target:
            continue
        for when, observation in (("", outcome.observation), *(("earlier ", o) for o in outcome.earlier)):
            if observation is None:
                continue
            name = promise_for(observation.settings, observation.expiry).attributes.name
            for e in observation.exchanges:
                key_ = handed_key(e, name)
                if key_ is None:
                    continue
                who = "replays" if e.label.startswith("replay") else (e.visitor or "main")
                keys[fingerprint(key_)].add(f"{other.browser} {when}{other.scenario} {who}".strip())
    obs.notes["keys"] = len(keys)
    obs.notes["shared"] = {k: sorted(v) for k, v in keys.items() if len(v) > 1}
    return obs


@scenario("cache-back", grouped=True)
async def cache_back(stages: list[Stage]) -> None:
    """For every target of the group, in a browser with its back/forward cache on (Chromium's test
    browser is launched without it; users' browsers have it): sign in, open the page that shows the
    session, log out, press Back."""
    first = stages[0]
    browser, launched = await _browser_with_bfcache(first)
    places = _Places(browser, first.context_args)
    try:
        gate = asyncio.Semaphore(min(BACK_SLOTS, first.in_flight or BACK_SLOTS))

        async def control() -> dict | None:
            async with gate:  # one of the walks' places: it is a walk too
                return await _bfcache_control(places, [s for s in stages if PUBLIC_PAGE not in s.target.lacks])

        async def one(stage: Stage) -> None:
            async with gate:
                try:
                    await bounded(walk(stage), what=f"the walk on {stage.target.profile}")
                except Stuck as exc:
                    stage.failure = exc

        async def walk(stage: Stage) -> None:
            async with places.lend() as (context, page):
                try:
                    v = open_driver(stage.target, stage.obs, context, page)
                    await v.arrive()
                    # Only the signed-in page is come back to: only it must be left settled.
                    welcome = await v.visit("back-welcome", "welcome", settle=False)
                    account = await v.visit("back-account", "account")
                    _require_session_shown(stage, welcome, account)
                    await v.visit("back-logout", "logout", settle=False)
                    stage.obs.notes["back"] = await v.back("back")
                except (DriverError, ScenarioInvalid, PlaywrightError) as exc:
                    stage.failure = exc  # this target only: the others go on
                    raise _Spoilt() from exc

        # Targets side by side, each in a context of its own while it walks (no deadlines to keep), and
        # the control beside them, not before them (alone it held the walks up 13 s on a busy machine).
        found, *done = await asyncio.gather(control(), *(one(stage) for stage in stages), return_exceptions=True)
        for failed in (found, *done):  # only once every walk is over: the browser may be closed next
            if isinstance(failed, BaseException):
                raise failed
        for stage in stages:
            stage.obs.notes["control"] = found
    finally:
        await places.close()
        if launched:
            await browser.close()


class _Spoilt(Exception):
    """A walk failed: its page is not lent again (what it was doing may still be under way)."""


class _Places:
    """The walks' contexts, each with its page, lent to one walk at a time: a Firefox page costs
    0.4 s of CPU to open, a navigation 0.16 s, measured here. Between walks a context's cookies are
    cleared; its page keeps its history, which Back never reaches (a walk goes one page back,
    within its own target's host), and its pageshow recorder (PAGESHOW_SCRIPT)."""

    def __init__(self, browser, context_args: dict):
        self.browser, self.context_args = browser, context_args
        self._free: list = []
        self._all: list = []

    @asynccontextmanager
    async def lend(self):
        if self._free:
            context, page = self._free.pop()
        else:
            context = await self.browser.new_context(**self.context_args)
            self._all.append(context)
            await context.add_init_script(PAGESHOW_SCRIPT)
            page = await context.new_page()
        try:
            yield context, page
            await context.clear_cookies()
        except _Spoilt:  # the walk's failure is recorded; its context is done
            await self._drop(context)
            return
        except BaseException:  # cut short (a timeout), or the control failed: this context is done
            await self._drop(context)
            raise
        self._free.append((context, page))

    async def _drop(self, context) -> None:
        self._all.remove(context)
        await close_quietly(context)

    async def close(self) -> None:
        for context in self._all:
            await close_quietly(context)


async def _browser_with_bfcache(first: Stage):
    """(browser, launched here): the run's own browser when it has its back/forward cache on, as
    Firefox does (Playwright turns the cache off only in Chromium, by a switch); else one launched
    for the walk, without that switch and as the full browser where the run's is Chromium's headless
    shell (no back/forward cache at all). Which it has, the control says (_bfcache_control)."""
    if first.browser_type.name != "chromium" and first.bfcache_launch_args is None:
        return first.browser, False  # a launch would be the same browser again: seconds of CPU
    args = dict(first.bfcache_launch_args or first.launch_args)
    if first.browser_type.name == "chromium":
        args["ignore_default_args"] = [*args.get("ignore_default_args", []), BFCACHE_OFF_SWITCH]
    return await first.browser_type.launch(**args), True


def _require_session_shown(stage: Stage, welcome, account) -> None:
    """The signed-in page showed the session; if not because the walk outlasted the session's age
    (a busy machine), the walk is observed again (CACHE-08 would have nothing to judge)."""
    late = account.sent_at - welcome.received_at > stage.promise.enforced_server_age - timing.BEFORE_EXPIRY_S
    if account.reply.page in (None, "anonymous") and late:
        raise ScenarioInvalid(f"the signed-in page was asked for {account.sent_at - welcome.received_at:.1f} s after "
                              f"the session started, past its {stage.promise.enforced_server_age} s: the machine was "
                              "too busy")


async def _bfcache_control(places: "_Places", stages: list[Stage]) -> dict | None:
    """Whether this browser has its back/forward cache on: Back from one plain page to another must
    restore it from that cache. Once per browser (not per target: a browser may pass on keeping one
    page, Firefox now and then does, which says nothing about the cache being on), at most twice.
    None when no target has a page that never touches the session to try it on."""
    if not stages:
        return None
    stage, result = stages[0], None
    async with places.lend() as (context, page):
        scratch = Observation("cache-back-control", stage.obs.profile, stage.obs.browser, stage.obs.settings, ())
        v = open_driver(stage.target, scratch, context, page)
        for attempt in range(2):
            await v.visit(f"control-{attempt}", "public")
            await v.visit(f"control-{attempt}-again", "public", settle=False)
            result = {**await v.back("control"), "attempts": attempt + 1}
            if result["from_back_forward_cache"]:
                break
    return result


# --- the family --------------------------------------------------------------------------------

def cache_summary(results) -> dict:
    failing: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.family == "cache-safety" and r.graded in ("fail", "known"):
            failing[r.profile].append(f"{r.id} {r.browser}")
    judged = sorted({r.profile for r in results if r.family == "cache-safety" and r.verdict != "skip"})
    return {"judged": judged, "unsafe": {p: sorted(v) for p, v in sorted(failing.items())}}


def cache_lines(summary: dict, results) -> list[str]:
    if not summary["judged"]:
        return []
    safe = [p for p in summary["judged"] if p not in summary["unsafe"]]
    lines = ["'No response that sets the session cookie, or shows the session, is served to someone else':",
             f"  holds: {', '.join(safe) or 'none'}"]
    for profile, where in summary["unsafe"].items():
        lines.append(f"  does not hold: {profile} ({', '.join(where)})")
    return lines


FAMILY = Family("cache-safety", "No response that sets the session cookie, or depends on the session, may be served "
                "to someone else (by a CDN, a proxy, or Django's own cache).", summarize=cache_summary,
                lines=cache_lines)


def _page_rule(run: Run, label: str, cookie_only: bool, what: str) -> Verdict:
    ex = run.step(label)
    if ex is None:
        return run.missing(f"the {what}")
    sc = ex.session_set_cookie(run.cookie)
    if cookie_only and (sc is None or sc.deletes):
        return Verdict.skip(f"the {what} did not set the session cookie here")
    safe, why = shared_cache_rule(ex.headers, cookie_only)
    expected = ("keyed on the cookie or not stored by a shared cache: Vary: Cookie (or *), or Cache-Control: "
                "private or no-store")
    return judge(safe, expected, f"{why} ({_shown_headers(ex.headers)})", run.evidence("welcome", label),
                 facts={"cache_control": ex.headers.get("cache-control"), "vary": ex.headers.get("vary"),
                        "sets_cookie": sc is not None})


def _saves_every_request(p):
    return None if p.save_every_request else \
        "SESSION_SAVE_EVERY_REQUEST is False: a read or an untouched page does not re-send the cookie"


@check("CACHE-01", family=FAMILY, scenario=cache_pages, doc=CACHE_DOCS + "#order-of-middleware")
def test_a_response_that_starts_the_session_is_not_shared(run: Run):
    """A response that starts or modifies the session (and so sets the session cookie) is keyed on
    the cookie or not storable by a shared cache.

    Django's cache docs: "SessionMiddleware adds Cookie" to the Vary header. RFC 9111 §7.3: "Note
    that the Set-Cookie response header field [COOKIE] does not inhibit caching"; a cache that
    stores it hands the session to the next visitor.
    """
    return _page_rule(run, "welcome", True, "page that starts the session")


@check("CACHE-02", family=FAMILY, scenario=cache_pages, doc=CACHE_DOCS + "#order-of-middleware",
       applies=_saves_every_request)
def test_a_read_that_resends_the_cookie_is_not_shared(run: Run):
    """A page that only reads the session, and re-sends the session cookie because
    SESSION_SAVE_EVERY_REQUEST is True, is keyed on the cookie or not storable by a shared cache.

    "If SESSION_SAVE_EVERY_REQUEST is True, the session cookie will be sent on every request." Django's
    cache docs: "SessionMiddleware adds Cookie" to the Vary header.
    """
    return _page_rule(run, "recall", True, "page that reads the session")


@check("CACHE-03", family=FAMILY, scenario=cache_pages, doc=CACHE_DOCS + "#order-of-middleware",
       needs=(PUBLIC_PAGE,), applies=_saves_every_request)
def test_an_untouched_page_that_resends_the_cookie_is_not_shared(run: Run):
    """A page that never touches the session, re-sending the session cookie because
    SESSION_SAVE_EVERY_REQUEST is True, is keyed on the cookie or not storable by a shared cache.

    "If SESSION_SAVE_EVERY_REQUEST is True, the session cookie will be sent on every request." A
    public page cached with a visitor's Set-Cookie hands that session to everyone (Django's
    CVE-2026-35192, fixed in 5.2.14 and 6.0.5).
    """
    return _page_rule(run, "public", True, "page that never touches the session")


@check("CACHE-04", family=FAMILY, scenario=cache_pages, doc=CACHE_DOCS + "#using-vary-headers")
def test_a_page_that_depends_on_the_session_varies_or_is_private(run: Run):
    """A page whose content depends on the session varies on Cookie or is private.

    "if this page produces different content based on some difference in request headers -- such
    as a cookie, or a language, or a user-agent -- you'll need to use the Vary header to tell
    caching mechanisms that the page output depends on those things."
    """
    return _page_rule(run, "recall", False, "page that shows the session")


def _visitors(run: Run):
    keys = {}
    for ex in run.obs.exchanges:
        value = handed_key(ex, run.cookie)
        if value is not None:
            keys.setdefault(ex.visitor, set()).add(value)
    return keys


@check("CACHE-05", family=FAMILY, scenario=cache_visitors, doc=RFC9111 + "#section-7.3")
def test_a_visitor_is_never_handed_another_visitors_session(run: Run):
    """Two visitors who share nothing and make the same requests are never handed the same session.

    RFC 9111 §7.3: caching flaws "might lead to the caching of sensitive information (e.g.,
    authentication credentials) that is thought to be private, exposing it to unauthorized parties."
    """
    a, b = run.step("a-welcome"), run.step("b-welcome")
    if a is None or b is None:
        return run.missing("both visitors' first pages")
    keys = _visitors(run)
    mine, theirs = keys.get("a", set()), keys.get("b", set())
    shared = mine & theirs
    b_sent_a = [ex.label for ex in run.obs.exchanges if ex.visitor == "b" and ex.sent_session_cookie in mine]
    evidence = run.evidence("a-welcome", "a-recall", "a-public", "b-public", "b-welcome", "b-recall")
    if not mine or not theirs:  # nothing to compare: not a leak, not its absence
        return Verdict.error(f"visitor {'a' if not mine else 'b'} was handed no session key (a got {len(mine)}, "
                             f"b got {len(theirs)}), so whether they share one could not be seen", evidence)
    ok = not shared and not b_sent_a
    observed = (f"visitor b was handed visitor a's session ({', '.join(fingerprint(k) for k in shared)})" if shared
                else f"visitor b sent visitor a's session on {', '.join(b_sent_a)}" if b_sent_a
                else f"a got {len(mine)} key(s), b got {len(theirs)}, none shared")
    return judge(ok, "each visitor handed its own session key", observed, evidence,
                 facts={"shared_key": bool(shared or b_sent_a)})


@check("CACHE-06", family=FAMILY, scenario=cache_visitors, doc=CACHE_DOCS + "#downstream-caches")
def test_a_page_that_shows_the_session_is_never_served_to_another_visitor(run: Run):
    """A page that shows the session, asked for by several visitors at the same URL, shows each
    their own (an anonymous visitor: nothing of anyone's).

    "Many web pages' contents differ based on authentication and a host of other variables, and
    cache systems that blindly save pages based purely on URLs could expose incorrect or sensitive
    data to subsequent visitors to those pages."
    """
    a, b, c = run.step("a-recall"), run.step("b-recall"), run.step("c-recall")
    if a is None or b is None or c is None:
        return run.missing("the three visitors' pages")
    shown = {who: ex.reply.page for who, ex in (("a", a), ("b", b), ("c", c))}
    problems = []
    if shown["b"] == shown["a"] and shown["a"] not in (None, "anonymous", "signed in"):
        problems.append(f"b was shown a's page ({shown['a']})")
    if shown["c"] not in ("anonymous", None):
        problems.append(f"anonymous c was shown {shown['c']!r}")
    if shown["a"] in (None, "anonymous"):
        return Verdict.error("visitor a's own page did not show its session, so a leak could not be seen",
                             run.evidence("a-welcome", "a-recall"))
    return judge(not problems, "each visitor shown its own session; the anonymous one, none",
                 "; ".join(problems) or f"a, b and c shown their own ({shown['c']} for c)",
                 run.evidence("a-recall", "b-recall", "c-recall"), facts={"leaked": bool(problems)})


@check("CACHE-07", family=FAMILY, scenario=session_census, doc=RFC9111 + "#section-7.3")
def test_no_session_key_was_ever_handed_to_two_visitors(run: Run):
    """Across the whole run, no session key was handed to two visitors.

    RFC 9111 §7.3: "Note that the Set-Cookie response header field [COOKIE] does not inhibit
    caching; a cacheable response with a Set-Cookie header field can be (and often is) used to
    satisfy subsequent requests to caches."
    """
    shared = run.obs.notes.get("shared", {})
    observed = "; ".join(f"key <{k}> handed to {', '.join(v)}" for k, v in shared.items()) or \
        f"{run.obs.notes.get('keys', 0)} keys, each handed to one visitor"
    return judge(not shared, "every session key handed to one visitor only", observed, [],
                 facts={"shared_keys": len(shared)})


@check("CACHE-08", family=FAMILY, scenario=cache_back, doc=WSTG_SESS_06, needs=(LOGOUT, BACK_FORWARD_CACHE))
def test_back_after_logout_does_not_show_a_no_store_page(run: Run):
    """After logout, the browser's Back button does not show the signed-in page again when that
    page is marked no-store.

    OWASP WSTG-SESS-06: "Try to navigate to a page that is only visible in an authenticated session,
    e.g. by usage of the back button of the browser." Django's never_cache adds "Cache-Control:
    max-age=0, no-cache, no-store, must-revalidate, private" for such pages.
    """
    account, back, control = run.step("back-account"), run.obs.notes.get("back"), run.obs.notes.get("control")
    if account is None or back is None:
        return run.missing("the Back button after logout")
    if control is not None and not control["from_back_forward_cache"]:
        return Verdict.skip("this browser's back/forward cache is off (Back to a plain page reloaded it): "
                            "Playwright's own Firefox build cannot turn it on; the system Firefox can")
    if "no-store" not in _directives(account.headers.get("cache-control")):
        return Verdict.skip(f"the signed-in page is not marked no-store ({_shown_headers(account.headers)}): "
                            "see CACHE-09 for whether it should be")
    if account.reply.page in (None, "anonymous"):
        welcome = run.step("back-welcome")
        late = welcome is not None and account.sent_at - welcome.received_at > run.promise.enforced_server_age
        why = (f" (it was asked for {account.sent_at - welcome.received_at:.1f} s after the session started, past "
               f"its {run.promise.enforced_server_age} s: the machine was too busy)") if late else ""
        return Verdict.error(f"the signed-in page did not show the session before logout{why}",
                             run.evidence("back-welcome", "back-account"))
    shows = back["shows"]
    leaked = shows not in (None, "anonymous")
    how = "restored from the back/forward cache" if back["from_back_forward_cache"] else "reloaded"
    return judge(not leaked, "Back shows no signed-in content (the page refetched, and signed out)",
                 f"Back showed {shows!r} ({how})", run.evidence("back-account", "back-logout"),
                 facts={"back_showed_session": leaked, "from_back_forward_cache": back["from_back_forward_cache"],
                        "control_restored": None if control is None else control["from_back_forward_cache"]})


@check("CACHE-09", family=FAMILY, scenario=cache_pages, doc=NEVER_CACHE_DOC, needs=(NEVER_CACHE_PAGE,))
def test_a_never_cache_page_arrives_uncacheable(run: Run):
    """A page the site marks never_cache reaches the browser as never_cache made it: no-store,
    private and max-age=0, whatever lies in between.

    never_cache: "This decorator adds a Cache-Control: max-age=0, no-cache, no-store,
    must-revalidate, private header to a response to indicate that a page should never be cached."
    """
    ex = run.step("account")
    if ex is None:
        return run.missing("the never_cache page")
    cc = _directives(ex.headers.get("cache-control"))
    missing = [d for d in ("no-store", "private") if d not in cc] + ([] if cc.get("max-age") == "0" else ["max-age=0"])
    return judge(not missing, "Cache-Control with no-store, private and max-age=0",
                 f"{_shown_headers(ex.headers)}" + (f" (lacks {', '.join(missing)})" if missing else ""),
                 run.evidence("account"), facts={"cache_control": ex.headers.get("cache-control")})
