"""session-cookie: when Django sends the session cookie and what the server makes of one. A visitor
with no session data gets none; a cookie naming no live session is not answered with a new, empty
session; a response that failed (500) saves nothing; the cookie carries a key, not the data (but
with the signed-cookie backend, whose data the client can read); a value the server never issued
is refused, and a session key in the URL is nothing at all (sessions are solely cookie-based); its
script cannot read an HttpOnly cookie; and where a site sets nothing, the cookie shows Django's
documented defaults.

Its scenario: a fresh visitor on a page that never touches the session, then the same page with a
cookie that names no session; a session started, what the page's JavaScript can read of it, its
value replayed as issued (the control), altered and in the URL; a write answered 500, then a read.
"""

from __future__ import annotations

import base64
import re
import secrets
import zlib

from conformance.judge.check import SESSIONS, SETTINGS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe.scenario import scenario
from conformance.observe.stage import Stage
from conformance.targets.capabilities import DJANGO_DEFAULTS, LOGOUT, PUBLIC_PAGE, WRITE
from conformance.targets.promises import ENGINE_KNOWN, FILE, SIGNED_COOKIES

FAMILY = Family("session-cookie", "The session cookie is sent only when the session needs it (never for a visitor with "
                "no data, an empty session or a failed response), holds a key rather than the data, is the only "
                "way to a session (not an altered value, not the URL), and shows Django's defaults.")

SCRIPT_COOKIES = "script_cookies"  # an obs note: the cookie names document.cookie showed after start
SCRIPT_PAGE = "script_page"  # an obs note: the URL of the page that read them
NO_URL_REPLAY = "no_url_replay"  # an obs note: why the key was not put in a URL
SERVER_SIDE = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache",
               "django.contrib.sessions.backends.cached_db", FILE)
KEY = re.compile(r"[a-z0-9]{32}")  # get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
NEVER_ISSUED = "conformance"  # the prefix of a key no server issued (NEVER_ISSUED + 21 random characters)
# Django's documented defaults, as the cookie and the probe show them (ref/settings/).
DEFAULTS = {"SESSION_COOKIE_AGE": 1209600, "SESSION_COOKIE_NAME": "sessionid", "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None, "SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
            "SESSION_SAVE_EVERY_REQUEST": False}


def altered(value: str) -> str:
    """The value with its last character changed: a key never issued, or a signature that fails."""
    last = value[-1:]
    return value[:-1] + ("b" if last == "a" else "a")


# --- scenario ----------------------------------------------------------------------------------

@scenario("session-cookie")
async def session_cookie(stage: Stage) -> None:
    """A fresh visitor on a page that never touches the session, and the same page with a cookie
    that names no session; a session started and read by the page's script; its value replayed as
    issued, altered and in the URL; a write answered 500, then a read."""
    lacks = stage.target.lacks
    async with stage.visitor() as v:
        if PUBLIC_PAGE not in lacks:
            await v.page("public-anonymous", "public")
            stale = NEVER_ISSUED + secrets.token_hex(16)[:21]
            await stage.replay("replay-stale", stale, where="public", visitor="stale")
        start = await v.start("start")
        if start.session_set_cookie(stage.cookie) is None:
            return  # the checks say so from `start`
        stage.obs.notes[SCRIPT_COOKIES] = await v.script_cookies()
        stage.obs.notes[SCRIPT_PAGE] = v.location()
        value = stage.latest_value()
        live = await stage.replay("replay-live", value)
        stage.require_shown(start, live, "the live replay")
        # A live account's key in a URL lands in the site's access logs: in black-box mode only when
        # the session is logged out right after (its key is then worth nothing).
        in_url = not stage.target.live_credentials or LOGOUT not in lacks
        if not in_url:
            stage.obs.notes[NO_URL_REPLAY] = ("a live account's session key in a URL lands in the site's logs; without "
                                              "a [logout] to end that session after, it is not put there")
        for label, replayed, where in (("replay-altered", altered(value), "session"),
                                       *((("replay-in-url", value, "url"),) if in_url else ())):
            ex = await stage.replay(label, replayed, where)
            if not ex.accepted and (over := stage.session_over(start, label)) is not None:
                raise over  # refused, but maybe only because the session had ended
        if WRITE not in lacks:
            await v.failed_write("failed-write")
            after = await v.read("after-failed-write")
            stage.require_shown(start, after, "the read after the failed write")
        if stage.target.live_credentials and in_url:
            await v.logout("logout")


# --- checks ------------------------------------------------------------------------------------

def _step(run: Run, label: str):
    ex = run.step(label)
    return ex, (ex.session_set_cookie(run.cookie) if ex is not None else None)


@check("COOKIE-01", family=FAMILY, scenario=session_cookie, needs=(PUBLIC_PAGE,),
       doc=SESSIONS + "#technical-details")
def test_no_cookie_for_a_visitor_without_session_data(run: Run):
    """A visitor who has no session, on a page that never touches it, is sent no session cookie.

    "Django only sends a cookie if it needs to. If you don't set any session data, it won't send a
    session cookie."
    """
    ex, sc = _step(run, "public-anonymous")
    if ex is None:
        return run.missing("the public page")
    return judge(sc is None or sc.deletes, f"no Set-Cookie for {run.cookie}", sc.raw if sc else "no Set-Cookie",
                 run.evidence("public-anonymous"), facts={"cookie_set": sc is not None and not sc.deletes})


@check("COOKIE-02", family=FAMILY, scenario=session_cookie, needs=(PUBLIC_PAGE,),
       doc=SETTINGS + "#session-save-every-request")
def test_a_cookie_naming_no_session_gets_no_empty_session(run: Run):
    """A request whose session cookie names no session, on a page that never touches it, is not
    answered with a new, empty session (with SESSION_SAVE_EVERY_REQUEST too).

    SESSION_SAVE_EVERY_REQUEST: "Empty sessions won't be created, even if this setting is active."
    """
    ex, sc = _step(run, "replay-stale")
    if ex is None:
        return run.missing("the request with a cookie naming no session")
    # A new key (or, signed, a new value) is a session made; the stale value sent back is not (a
    # layer re-sending every cookie, REN-01's business).
    made = sc is not None and not sc.deletes and sc.value != ex.sent_session_cookie
    return judge(not made, "no new session cookie (no empty session created)",
                 f"a new session: {sc.raw}" if made else (sc.raw if sc else "no Set-Cookie"),
                 run.evidence("replay-stale"), facts={"empty_session_created": made})


@check("COOKIE-03", family=FAMILY, scenario=session_cookie, needs=(WRITE,),
       doc=SESSIONS + "#when-sessions-are-saved")
def test_a_failed_response_saves_nothing(run: Run):
    """A response with status 500 does not save the session, although the view modified it: the
    next request finds the session as it was.

    "The session is not saved if the response's status code is 500."
    """
    failed, sc = _step(run, "failed-write")
    after = run.step("after-failed-write")
    if failed is None or after is None:
        return run.missing("the write answered 500 and the read after it")
    touches = after.reply.touches
    # Saved or not is what the server kept (a saved session re-sends the cookie too, but so does a
    # layer re-sending every cookie: REN-01's business).
    saved = bool(touches)
    observed = (f"HTTP {failed.status}; {sc.raw if sc else 'no Set-Cookie'}; the next read found the session "
                f"{'with' if touches else 'without'} the failed write (touches={touches})")
    return judge(not saved and failed.status == 500, "HTTP 500, and the write not kept", observed,
                 run.evidence("start", "failed-write", "after-failed-write"), facts={"saved_on_500": saved})


def _signed_payload(value: str) -> str | None:
    """What a signed_cookies value carries, decoded as a client can (signing.dumps: base64, zlib
    when it starts with '.'), or None."""
    payload = value.split(":", 1)[0]
    compressed = payload.startswith(".")
    try:
        data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        return (zlib.decompress(data) if compressed else data).decode()
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


@check("COOKIE-04", family=FAMILY, scenario=session_cookie, doc=SESSIONS + "#how-to-use-sessions")
def test_the_cookie_holds_a_key_not_the_data(run: Run):
    """The session cookie carries a session key (32 digits and lowercase letters), not the session's
    data; with the signed-cookie backend it carries the data, signed, which the client can read.

    "Cookies contain a session ID -- not the data itself (unless you're using the cookie based
    backend)." session_key: "The current implementation generates a 32-character string (a random
    sequence of digits and lowercase ASCII letters)." Signed cookies: "When using the cookies
    backend the session data can be read by the client."
    """
    start, sc = _step(run, "start")
    if start is None:
        return run.missing("start")
    if sc is None:
        return Verdict.skip("no session cookie was set (COOKIE-01/AGE-01 say why)")
    engine = run.promise.engine
    if run.obs.settings.get(ENGINE_KNOWN) is False:
        # A black-box config that does not name the backend: either shape is a correct site's.
        data, key = _signed_payload(sc.value), KEY.fullmatch(sc.value) is not None
        if not key and data is None:
            return Verdict.skip("the config does not name the site's backend ([policy] backend), and the value is "
                                "neither Django's key nor its signed data: a custom backend's")
        return judge(True, "a session key, or (signed cookies) the signed data", "a session key" if key else
                     f"signed data: {data[:80]!r}", run.evidence("start"), facts={"key_shape": "key" if key else "signed"})
    if engine == SIGNED_COOKIES:
        data = _signed_payload(sc.value)
        return judge(data is not None, "the session data, signed, readable by the client",
                     f"decodes to {data[:80]!r}" if data is not None else "does not decode",
                     run.evidence("start"), facts={"readable_data": data is not None})
    if engine not in SERVER_SIDE:
        return Verdict.skip(f"a custom backend ({engine}) makes its keys as it likes")
    ok = KEY.fullmatch(sc.value) is not None
    return judge(ok, "a 32-character key of digits and lowercase letters",
                 f"{len(sc.value)} characters" + ("" if ok else f": {sc.value[:40]!r}"), run.evidence("start"),
                 facts={"key_shape": "32 [a-z0-9]" if ok else "other"})


@check("COOKIE-05", family=FAMILY, scenario=session_cookie, doc=SESSIONS + "#using-cookie-based-sessions")
def test_an_altered_cookie_is_refused(run: Run):
    """The session cookie's value with one character changed is refused: a key the server never
    issued, or, with signed cookies, a signature that no longer matches.

    Signed cookies: "A MAC (Message Authentication Code) is used to protect the data against
    changes by the client, so that the session data will be invalidated when being tampered with."
    """
    control = run.replay_control()
    if control:
        return control
    ex = run.step("replay-altered")
    if ex is None:
        return run.missing("the altered replay")
    return judge(not ex.accepted, "the altered value refused", "accepted" if ex.accepted else "refused",
                 run.evidence("replay-live", "replay-altered"), facts={"altered_accepted": ex.accepted})


@check("COOKIE-06", family=FAMILY, scenario=session_cookie, doc=SESSIONS + "#session-ids-in-urls")
def test_a_session_key_in_the_url_is_no_session(run: Run):
    """The live session's key, given in the URL (as the cookie's name) instead of a cookie, is not
    a session: the server does not load it.

    "The Django sessions framework is entirely, and solely, cookie-based. It does not fall back to
    putting session IDs in URLs as a last resort, as PHP does."
    """
    if run.obs.notes.get(NO_URL_REPLAY):
        return Verdict.skip(run.obs.notes[NO_URL_REPLAY])
    control = run.replay_control()
    if control:
        return control
    ex = run.step("replay-in-url")
    if ex is None:
        return run.missing("the replay with the key in the URL")
    loaded = ex.reply.own_session or ex.reply.signed_in
    return judge(not loaded, f"no session loaded from ?{run.cookie}=<the live key>",
                 "the session was loaded" if loaded else "no session", run.evidence("replay-live", "replay-in-url"),
                 facts={"loaded_from_url": loaded})


@check("COOKIE-07", family=FAMILY, scenario=session_cookie, doc=SETTINGS + "#session-cookie-httponly")
def test_script_cannot_read_an_httponly_cookie(run: Run):
    """A page's JavaScript cannot read the session cookie when it is HttpOnly (document.cookie
    lacks it), and can when SESSION_COOKIE_HTTPONLY is False.

    SESSION_COOKIE_HTTPONLY: "If this is set to True, client-side JavaScript will not be able to
    access the session cookie."
    """
    names = run.obs.notes.get(SCRIPT_COOKIES)
    if names is None:
        return run.missing("the page's script reading document.cookie")
    attrs, page = run.promise.attributes, run.obs.notes.get(SCRIPT_PAGE, "")
    seen = attrs.name in names
    if not attrs.httponly and not _within(page, attrs.path):
        return Verdict.skip(f"the page ({page}) is outside SESSION_COOKIE_PATH {attrs.path}: its script could "
                            "not see the cookie either way")
    expected = f"document.cookie {'without' if attrs.httponly else 'with'} {attrs.name}"
    return judge(seen != attrs.httponly, expected, f"document.cookie names: {', '.join(names) or '(none)'}",
                 run.evidence("start"), facts={"script_reads_session_cookie": seen})


def _within(url: str, path: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).path or "/").startswith(path)


@check("COOKIE-08", family=FAMILY, scenario=session_cookie, needs=(DJANGO_DEFAULTS,),
       doc=SETTINGS + "#sessions")
def test_a_site_that_sets_nothing_gets_the_documented_defaults(run: Run):
    """A site that sets no SESSION_* setting (but the engine) runs with the defaults Django
    documents, and its session cookie shows them.

    SESSION_COOKIE_AGE: "Default: 1209600 (2 weeks, in seconds)" (and the other SESSION_*
    settings' documented defaults)
    """
    start, sc = _step(run, "start")
    if start is None:
        return run.missing("start")
    settings = run.obs.settings
    wrong = {k: settings.get(k) for k, v in DEFAULTS.items() if settings.get(k, v) != v}
    attrs = sc.attrs if sc else {}
    shown = {"name": sc.name if sc else None, "Max-Age": sc.max_age if sc else None, "Path": attrs.get("path"),
             "Domain": attrs.get("domain"), "Secure": "secure" in attrs, "HttpOnly": "httponly" in attrs,
             "SameSite": attrs.get("samesite")}
    documented = {"name": "sessionid", "Max-Age": 1209600, "Path": "/", "Domain": None, "Secure": False,
                  "HttpOnly": True, "SameSite": "Lax"}
    wrong.update({k: v for k, v in shown.items() if v != documented[k]})
    return judge(not wrong, "Django's documented defaults: " + ", ".join(f"{k}={v}" for k, v in documented.items()),
                 "as documented" if not wrong else ", ".join(f"{k}={v}" for k, v in wrong.items()),
                 run.evidence("start"), facts={"differs_from_defaults": sorted(wrong)})
