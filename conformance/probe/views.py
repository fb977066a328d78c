"""Probe endpoints. See the package docstring for the contract."""

import functools
import hmac
import secrets
from datetime import timedelta

import django
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..protocol import FAILED_WRITE_STATUS, TOKEN_HEADER, TOKEN_SETTING, ExpirySpec
from . import state


def _json(payload, status=200):
    response = JsonResponse(payload, status=status)
    # Probe answers describe one moment; a cached copy would lie.
    response["Cache-Control"] = "no-store"
    return response


def _token_ok(request):
    expected = getattr(settings, TOKEN_SETTING, "") or ""
    given = request.headers.get(TOKEN_HEADER)
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


try:  # Django 5.1+: a site with LoginRequiredMiddleware must still let the probe answer
    from django.contrib.auth.decorators import login_not_required as _login_not_required
except ImportError:  # older Django has no such middleware
    def _login_not_required(view):
        return view


def probe_view(view):
    """Gate a view: 404 (before touching the session) unless the token matches.

    csrf_exempt so a POST without the token gets the same 404, not a 403
    that would reveal the probe is installed.
    """

    @_login_not_required
    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request):
        if not _token_ok(request):
            return _json({"error": "not found"}, status=404)
        if request.method != "GET":
            return _json({"error": "method not allowed; use GET"}, status=405)
        return view(request)

    return wrapped


def parse_expiry(text):
    """Turn one ``expiry`` query value (conformance.protocol.ExpirySpec) into a set_expiry() argument."""
    spec = ExpirySpec.parse(text)
    if spec.kind == "none":
        return None
    if spec.kind == "int":
        return spec.seconds
    if spec.kind == "timedelta":
        return timedelta(seconds=spec.seconds)
    return timezone.now() + timedelta(seconds=spec.seconds)


@probe_view
def start(request):
    try:
        # Parse everything first so a bad spec creates no session.
        expiries = [parse_expiry(s) for s in request.GET.getlist("expiry")]
    except ValueError as exc:
        return _json({"error": str(exc)}, status=400)
    accepted = state.was_accepted(request)
    session = request.session
    if state.is_probe_session(session):
        session.flush()
    elif list(session.keys()):
        return _json(
            {"error": "a non-probe session is active in this browser; use a fresh context"},
            status=409,
        )
    session[state.MARKER] = {"nonce": secrets.token_hex(8), "touches": 0}
    for value in expiries:
        session.set_expiry(value)
    return _json(state.build(request, "start", accepted))


@probe_view
def read(request):
    accepted = state.was_accepted(request)
    return _json(state.build(request, "read", accepted))


@probe_view
def touch(request):
    """Modify the session. With ?fail=500, answer that status after modifying it: "The session is
    not saved if the response's status code is 500" (the answer shows the unsaved count)."""
    accepted = state.was_accepted(request)
    session = request.session
    if state.is_probe_session(session):
        marker = dict(session[state.MARKER])
        marker["touches"] = int(marker.get("touches", 0)) + 1
        session[state.MARKER] = marker
        session.modified = True
    failed = request.GET.get("fail") == str(FAILED_WRITE_STATUS)
    return _json(state.build(request, "touch", accepted), status=FAILED_WRITE_STATUS if failed else 200)


@probe_view
def signin(request):
    """What django.contrib.auth.login() does to the session a visitor already holds: a new key for
    the same data (cycle_key(), against session fixation), then the user's id in it. No account is
    involved (the probe creates none): the mark says the session is now a signed-in one."""
    accepted = state.was_accepted(request)
    session = request.session
    if not state.is_probe_session(session):
        return _json({"error": "no probe session to sign in: call start/ first"}, status=409)
    session.cycle_key()
    session[state.MARKER] = {**session[state.MARKER], "signed_in": True}
    return _json(state.build(request, "signin", accepted))


@probe_view
def logout(request):
    accepted = state.was_accepted(request)
    if state.is_probe_session(request.session):
        # What django.contrib.auth.logout() does to the session.
        request.session.flush()
    return _json(state.build(request, "logout", accepted))


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(
        v is None or isinstance(v, (bool, int, float, str)) for v in value
    ):
        return list(value)
    return str(value)


@probe_view
def session_settings(request):
    names = sorted(n for n in dir(settings) if n.startswith("SESSION_"))
    return _json(
        {
            "django": django.get_version(),
            "settings": {n: _jsonable(getattr(settings, n)) for n in names},
        }
    )


# No favicon request (a full Chromium asks for one after every page): a probe page is then done
# loading at its load event, which the suite's Back-button walk relies on (drivers/probe.py).
NO_ICON = '<link rel="icon" href="data:,">'


@probe_view
def index(request):
    """A blank page on the site's origin that the suite's browser opens once and then calls the
    other endpoints from with fetch(). It never touches the session."""
    response = HttpResponse(f"<!doctype html><title>conformance probe</title>{NO_ICON}", content_type="text/html")
    response["Cache-Control"] = "no-store"
    return response
