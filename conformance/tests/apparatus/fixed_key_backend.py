"""A session backend whose cycle_key() keeps the key (for the project's own tests): login() no
longer gives the signed-in session a new key, so a key planted before sign-in stays valid after
it (session fixation)."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def cycle_key(self):
        return None  # data and key as they were
