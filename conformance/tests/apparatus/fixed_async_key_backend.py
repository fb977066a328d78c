"""A session backend whose async acycle_key() keeps the key (for the project's own tests): the
sync cycle_key() works, so only alogin() (an async view's sign-in) leaves a key planted before
sign-in valid after it (session fixation)."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    async def acycle_key(self):
        return None  # data and key as they were
