"""Builds the JSON body shared by start/read/touch/logout.

Fields: action, server_time, cookie_header, cookie_name, session_cookie,
accepted, probe_session, signed_in, touches, stored. ``stored`` is null unless the session
carries the probe marker after the action, else: expiry_age, expiry_date,
browser_close, custom_expiry, backend_expire_date.
"""

import time

from django.conf import settings

MARKER = "_conformance_probe"
# Key Django's SessionBase uses for set_expiry(); read back verbatim.
EXPIRY_KEY = "_session_expiry"


def is_probe_session(session):
    return isinstance(session.get(MARKER), dict)


def received_cookie(request):
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME)


def was_accepted(request):
    """True if the session cookie arrived and the session it loaded is ours.

    Must be computed before the view acts, since start/logout replace it.
    """
    return received_cookie(request) is not None and is_probe_session(request.session)


def build(request, action, accepted):
    probe = is_probe_session(request.session)
    marker = request.session[MARKER] if probe else None
    return _answer(request, action, accepted, marker, _stored(request.session) if probe else None)


def _answer(request, action, accepted, marker, stored):
    """The answer of start/read/touch/signin/logout, from what the view (sync or async) read of
    the session: its probe marker (None: not a probe session) and stored expiry."""
    probe = marker is not None
    return {
        "action": action,
        "server_time": time.time(),
        "cookie_header": request.META.get("HTTP_COOKIE"),
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "session_cookie": received_cookie(request),
        "accepted": accepted,
        "probe_session": probe,
        # After signin/: the session the request loaded (or made) is a signed-in one.
        "signed_in": probe and bool(marker.get("signed_in")),
        # How many touch/ calls the stored session has seen (a write that was not saved is not counted).
        "touches": marker.get("touches", 0) if probe else None,
        "stored": stored,
    }


def _stored(session):
    return {
        "expiry_age": session.get_expiry_age(),
        "expiry_date": session.get_expiry_date().timestamp(),
        "browser_close": session.get_expire_at_browser_close(),
        "custom_expiry": _json_scalar(session.get(EXPIRY_KEY)),
        "backend_expire_date": _backend_expire_date(session),
    }


def _json_scalar(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _backend_expire_date(session):
    # Only db-backed stores (db, cached_db) expose a row with expire_date;
    # before the middleware's first save there is no key and no row yet.
    get_model_class = getattr(session, "get_model_class", None)
    if get_model_class is None or not session.session_key:
        return None
    row = (
        get_model_class()
        .objects.filter(session_key=session.session_key)
        .values_list("expire_date", flat=True)
        .first()
    )
    return row.timestamp() if row is not None else None


# --- the same, through Django's async session API (5.1+), for the async views ------------------

async def ais_probe_session(session):
    return isinstance(await session.aget(MARKER), dict)


async def awas_accepted(request):
    return received_cookie(request) is not None and await ais_probe_session(request.session)


async def abuild(request, action, accepted):
    session = request.session
    probe = await ais_probe_session(session)
    marker = await session.aget(MARKER) if probe else None
    return _answer(request, action, accepted, marker, await _astored(session) if probe else None)


async def _astored(session):
    return {
        "expiry_age": await session.aget_expiry_age(),
        "expiry_date": (await session.aget_expiry_date()).timestamp(),
        "browser_close": await session.aget_expire_at_browser_close(),
        "custom_expiry": _json_scalar(await session.aget(EXPIRY_KEY)),
        "backend_expire_date": await _abackend_expire_date(session),
    }


async def _abackend_expire_date(session):
    get_model_class = getattr(session, "get_model_class", None)
    if get_model_class is None or not session.session_key:
        return None
    row = await (
        get_model_class()
        .objects.filter(session_key=session.session_key)
        .values_list("expire_date", flat=True)
        .afirst()
    )
    return row.timestamp() if row is not None else None
