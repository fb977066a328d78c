"""Probe pages: ordinary-looking HTML pages for the cache-safety checks. Unlike the probe's JSON
endpoints (always `Cache-Control: no-store`), these set no caching headers of their own, so what a
response says about caching is what the site's middleware, and anything in front of it, made of
it. Same gate as every probe view (404 without the token), and they too touch only probe sessions.

* ``page/public/`` never touches the session (with ``?echo=1`` it echoes the Cookie header it received).
* ``page/welcome/`` starts a probe session (if the visitor has none) holding a random visitor
  token, and shows it: a page that writes the session. The session lasts PAGE_SESSION_S whatever
  the site's age (``set_expiry``): these pages are about caches, not expiry, and a visitor walking
  through them on a busy machine must not see a 3 s session end on the way.
* ``page/recall/`` shows the visitor token, or "anonymous": a page whose content depends on the
  session, which it only reads.
* ``page/account/`` the same, under ``never_cache`` (as the admin's pages are).
* ``page/logout/`` flushes a probe session, as ``django.contrib.auth.logout()`` does.

Each page embeds the probe's usual answer (conformance.probe.state) as JSON in
``<script id="probe" type="application/json">``, plus ``visitor`` (the token shown).
"""

import json
import secrets

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape
from django.views.decorators.cache import never_cache

from ..protocol import PAGE_SESSION_S
from . import state
from .views import NO_ICON, probe_view

VISITOR = "visitor"


def _json(data):
    """JSON that cannot end its <script> element early."""
    return json.dumps(data).replace("<", "\\u003c")


def _page(request, action, accepted, title):
    data = state.build(request, action, accepted)
    probe = request.session.get(state.MARKER) if action != "public" else None
    data[VISITOR] = probe.get(VISITOR) if isinstance(probe, dict) else None
    shown = data[VISITOR] or "anonymous"
    body = (f"<!doctype html><html><head><title>{escape(title)}</title>{NO_ICON}</head><body>"
            f'<p id="visitor">{escape(shown)}</p>'
            f'<script id="probe" type="application/json">{_json(data)}</script></body></html>')
    return HttpResponse(body, content_type="text/html")


@probe_view
def public(request):
    # Built by hand: state.build() would read the session (and make the response vary on Cookie).
    # With ?echo=1 (a replay's own URL, never shared), what the browser sent is echoed from the
    # request's headers, which touches no session; never otherwise: a cache in front would hand one
    # visitor's echo to the next, who would then seem to have sent it.
    echo = {"action": "public"}
    if request.GET.get("echo") == "1":
        echo.update(cookie_header=request.META.get("HTTP_COOKIE"), cookie_name=settings.SESSION_COOKIE_NAME,
                    session_cookie=state.received_cookie(request))
    body = (f'<!doctype html><html><head><title>public</title>{NO_ICON}</head><body><p id="visitor">public</p>'
            f'<script id="probe" type="application/json">{_json(echo)}</script>'
            "</body></html>")
    return HttpResponse(body, content_type="text/html")


@probe_view
def welcome(request):
    accepted = state.was_accepted(request)
    session = request.session
    if not state.is_probe_session(session):
        if list(session.keys()):
            return HttpResponse("a non-probe session is active in this browser", status=409)
        session[state.MARKER] = {"nonce": secrets.token_hex(8), "touches": 0, VISITOR: secrets.token_hex(8)}
        session.set_expiry(PAGE_SESSION_S)
    elif VISITOR not in session[state.MARKER]:
        session[state.MARKER] = {**session[state.MARKER], VISITOR: secrets.token_hex(8)}
    return _page(request, "welcome", accepted, "welcome")


@probe_view
def recall(request):
    return _page(request, "recall", state.was_accepted(request), "recall")


@probe_view
@never_cache
def account(request):
    return _page(request, "account", state.was_accepted(request), "account")


@probe_view
def logout_page(request):
    accepted = state.was_accepted(request)
    if state.is_probe_session(request.session):
        request.session.flush()
    return _page(request, "logout", accepted, "logged out")
