"""The reference site whose session middleware takes the session key from the URL when no cookie carries one (apparatus/variants.py:
SessionFromUrlMiddleware)."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
MIDDLEWARE = [("conformance.tests.apparatus.variants.SessionFromUrlMiddleware" if m == SESSION_MIDDLEWARE else m)
              for m in MIDDLEWARE]
