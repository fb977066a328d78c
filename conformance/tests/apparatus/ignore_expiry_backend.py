"""A session backend that ignores a per-session set_expiry() (for the project's own tests): every
session gets SESSION_COOKIE_AGE, whatever the view asked for."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def set_expiry(self, value):
        return None
