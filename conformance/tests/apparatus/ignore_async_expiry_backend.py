"""A session backend whose async aset_expiry() ignores its value (for the project's own tests):
the sync set_expiry() works, so only a view using Django's async session API (5.1+) gets every
session at SESSION_COOKIE_AGE, whatever it asked for."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    async def aset_expiry(self, value):
        return None
