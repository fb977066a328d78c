"""Idle and absolute session timeouts done by middleware, as sites add them (Django has neither):
django-auto-logout and django-session-timeout work this way. Used by the test deployment's
settings when DEPLOY_IDLE_TIMEOUT or DEPLOY_ABSOLUTE_TIMEOUT is set.

* Idle: a signed-in request more than IDLE_SESSION_TIMEOUT s after this session's previous one
  is signed out; any other signed-in request stores its time, so the session is saved (and its
  cookie re-sent) on every signed-in request, as django-auto-logout's is.
* Absolute: the session ends ABSOLUTE_SESSION_TIMEOUT s after its start, however active.
  TIMEOUTS_COUNT_FROM picks the start: "session" is this session's own sign-in; "last_login" is
  django-auto-logout's SESSION_TIME, ``user.last_login``: an account-wide field every sign-in
  updates, so signing in anywhere extends every open session of the account (a bug on purpose).
"""

import time

from django.conf import settings
from django.contrib.auth import logout, user_logged_in

SIGNED_IN_AT = "_signed_in_at"
LAST_REQUEST = "_last_request"


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: the session's own start, and its first request."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_REQUEST] = now


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: signs out a signed-in request past either deadline; the
    request then goes on anonymous (a login_required view redirects to the login page)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.IDLE_SESSION_TIMEOUT
        self.absolute = settings.ABSOLUTE_SESSION_TIMEOUT
        self.counts_from = settings.TIMEOUTS_COUNT_FROM
        # Connected here, not at import: only a site with this middleware stamps sign-ins.
        user_logged_in.connect(stamp_sign_in, dispatch_uid=__name__)

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if self._expired(request, now):
                logout(request)  # flush(): the old session key is dead on the server too
            elif self.idle:
                request.session[LAST_REQUEST] = now
        return self.get_response(request)

    def _expired(self, request, now):
        session = request.session
        # A session signed in before this middleware ran has no stamps: it starts now.
        started = session.setdefault(SIGNED_IN_AT, now)
        if self.idle and now >= session.get(LAST_REQUEST, now) + self.idle:
            return True
        if not self.absolute:
            return False
        if self.counts_from == "last_login" and request.user.last_login is not None:
            started = request.user.last_login.timestamp()
        return now >= started + self.absolute
