"""Deliberately broken layers, for the project's own tests only: the suite must catch broken
deployments. Each breaks one promise the way real deployments do. Used by the mutant sites
(mutant_sites/, offered as profiles by mutants.py) and by the test deployment (DEPLOY_VARIANT,
a comma list of names below)."""

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date


class StripSessionExpiryMiddleware:
    """A proxy-like layer that drops Max-Age and Expires from the session cookie while the server
    keeps its expiry: the browser now holds a browser-length cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        morsel = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if morsel is not None and morsel.value:
            morsel["max-age"] = ""
            morsel["expires"] = ""
        return response


class FakeSlidingMiddleware:
    """Re-sends the session cookie with a fresh Max-Age on every response without saving the
    session: the browser's cookie slides, the server's session does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value and settings.SESSION_COOKIE_NAME not in response.cookies:
            response.set_cookie(settings.SESSION_COOKIE_NAME, value, max_age=settings.SESSION_COOKIE_AGE,
                                path=settings.SESSION_COOKIE_PATH, httponly=settings.SESSION_COOKIE_HTTPONLY,
                                samesite=settings.SESSION_COOKIE_SAMESITE)
        return response


class ClearOnLogoutMiddleware:
    """A logout that calls session.clear() instead of flush(): the browser's cookie is deleted,
    but the stored session survives under its old key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.endswith("/logout/") and hasattr(request, "session"):
            request.session.flush = request.session.clear
        return self.get_response(request)


class StripVaryMiddleware:
    """A layer that drops the Vary header (to "raise the hit rate", as some CDN guides advise): a
    shared cache then keys session responses on the URL alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Vary"):
            del response["Vary"]
        return response


class PublicEverythingMiddleware:
    """A layer that marks every response cacheable by anyone for ten minutes ("cache everything"),
    never_cache pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "public, max-age=600"
        return response


class ReissueSessionMiddleware(SessionMiddleware):
    """Replaces Django's SessionMiddleware the way django-user-sessions 2.0 does: its response
    side never deletes the cookie. A modified (or save-every-request) session is saved and its key
    set, empty or not, so after a logout's flush() the browser gets a fresh, empty session's key
    with Max-Age=SESSION_COOKIE_AGE instead of a deleted cookie."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None:
            return response
        if session.accessed:
            patch_vary_headers(response, ("Cookie",))
        if (session.modified or settings.SESSION_SAVE_EVERY_REQUEST) and response.status_code != 500:
            if session.get_expire_at_browser_close():
                max_age = expires = None
            else:
                max_age = session.get_expiry_age()
                expires = http_date(time.time() + max_age)
            session.save()  # after flush(): a new key
            response.set_cookie(settings.SESSION_COOKIE_NAME, session.session_key, max_age=max_age,
                                expires=expires, domain=settings.SESSION_COOKIE_DOMAIN,
                                path=settings.SESSION_COOKIE_PATH, secure=settings.SESSION_COOKIE_SECURE or None,
                                httponly=settings.SESSION_COOKIE_HTTPONLY or None,
                                samesite=settings.SESSION_COOKIE_SAMESITE)
        return response


class SaveOn500SessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, but it saves the session whatever the status: a view that
    modified the session and failed (500) still has its change saved and the cookie re-sent."""

    def process_response(self, request, response):
        status, response.status_code = response.status_code, 200 if response.status_code == 500 else \
            response.status_code
        try:
            return super().process_response(request, response)
        finally:
            response.status_code = status


class SessionFromUrlMiddleware(SessionMiddleware):
    """Django's SessionMiddleware with PHP's fallback: without a session cookie, the session key is
    taken from the URL (?sessionid=...), so a key leaked in a link signs its reader in."""

    def process_request(self, request):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.GET.get(settings.SESSION_COOKIE_NAME)
        request.session = self.SessionStore(key)


# name -> (middleware, where): "outer" sees the response after SessionMiddleware set the cookie;
# "inner" sees request.session before the view.
MIDDLEWARE = {
    "strip-expiry": ("conformance.tests.apparatus.variants.StripSessionExpiryMiddleware", "outer"),
    "fake-sliding": ("conformance.tests.apparatus.variants.FakeSlidingMiddleware", "outer"),
    "clear-on-logout": ("conformance.tests.apparatus.variants.ClearOnLogoutMiddleware", "inner"),
    "strip-vary": ("conformance.tests.apparatus.variants.StripVaryMiddleware", "outer"),
    "public-everything": ("conformance.tests.apparatus.variants.PublicEverythingMiddleware", "outer"),
}


def apply(middleware: list, names: str) -> list:
    """MIDDLEWARE with the named variants added; unknown names are a configuration error."""
    from django.core.exceptions import ImproperlyConfigured

    out = list(middleware)
    for name in [n.strip() for n in names.split(",") if n.strip()]:
        if name not in MIDDLEWARE:
            raise ImproperlyConfigured(f"unknown variant {name!r}; known: {', '.join(MIDDLEWARE)}")
        path, where = MIDDLEWARE[name]
        out.insert(0, path) if where == "outer" else out.append(path)
    return out
