"""The probe's actions as async views, through Django's async session API (new in Django 5.1):
`aset_expiry()`, `aget()`, `aset()`, `acycle_key()` (what `alogin()` does to the session) and
`aflush()` (what `alogout()` does). Same contract and answers as views.py; mounted under
`async/` (conformance.protocol.ASYNC_PREFIX). An async view must not touch the session through
its sync methods (a database-backed store would load it synchronously), so every access here is
an `a...` call: a broken async method shows in the same checks as its sync twin.

On a Django without the async session API these endpoints answer 501 (after the same token gate).
"""

import secrets

import django
from django.views.decorators.csrf import csrf_exempt

from ..protocol import ASYNC_SINCE, FAILED_WRITE_STATUS
from . import state
from .views import _json, _login_not_required, _token_ok, parse_expiry

AVAILABLE = django.VERSION[:2] >= ASYNC_SINCE
UNAVAILABLE = (f"the async session API (aset_expiry(), acycle_key(), aflush()) is new in Django "
               f"{'.'.join(map(str, ASYNC_SINCE))}; this site runs Django {django.get_version()}")


def async_probe_view(view):
    """The token gate of views.probe_view, for an async view (404 before touching the session)."""
    async def wrapped(request):
        if not _token_ok(request):
            return _json({"error": "not found"}, status=404)
        if request.method != "GET":
            return _json({"error": "method not allowed; use GET"}, status=405)
        return await view(request)

    wrapped.__name__ = wrapped.__qualname__ = view.__name__
    if not AVAILABLE:
        def unavailable(request):
            if not _token_ok(request):
                return _json({"error": "not found"}, status=404)
            return _json({"error": UNAVAILABLE}, status=501)
        return _login_not_required(csrf_exempt(unavailable))
    return _login_not_required(csrf_exempt(wrapped))


@async_probe_view
async def start(request):
    try:
        expiries = [parse_expiry(s) for s in request.GET.getlist("expiry")]
    except ValueError as exc:
        return _json({"error": str(exc)}, status=400)
    accepted = await state.awas_accepted(request)
    session = request.session
    if await state.ais_probe_session(session):
        await session.aflush()
    elif await session.akeys():
        return _json({"error": "a non-probe session is active in this browser; use a fresh context"}, status=409)
    await session.aset(state.MARKER, {"nonce": secrets.token_hex(8), "touches": 0})
    for value in expiries:
        await session.aset_expiry(value)
    return _json(await state.abuild(request, "start", accepted))


@async_probe_view
async def read(request):
    accepted = await state.awas_accepted(request)
    return _json(await state.abuild(request, "read", accepted))


@async_probe_view
async def touch(request):
    accepted = await state.awas_accepted(request)
    session = request.session
    if await state.ais_probe_session(session):
        marker = dict(await session.aget(state.MARKER))
        marker["touches"] = int(marker.get("touches", 0)) + 1
        await session.aset(state.MARKER, marker)
    failed = request.GET.get("fail") == str(FAILED_WRITE_STATUS)
    return _json(await state.abuild(request, "touch", accepted), status=FAILED_WRITE_STATUS if failed else 200)


@async_probe_view
async def signin(request):
    """What alogin() does to the session a visitor already holds: acycle_key() (a new key for the
    same data, against session fixation), then the mark of a signed-in session."""
    accepted = await state.awas_accepted(request)
    session = request.session
    if not await state.ais_probe_session(session):
        return _json({"error": "no probe session to sign in: call start/ first"}, status=409)
    await session.acycle_key()
    await session.aset(state.MARKER, {**await session.aget(state.MARKER), "signed_in": True})
    return _json(await state.abuild(request, "signin", accepted))


@async_probe_view
async def logout(request):
    """What alogout() does to the session: aflush()."""
    accepted = await state.awas_accepted(request)
    if await state.ais_probe_session(request.session):
        await request.session.aflush()
    return _json(await state.abuild(request, "logout", accepted))
