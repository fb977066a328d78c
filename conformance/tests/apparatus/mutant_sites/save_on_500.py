"""The reference site whose session middleware saves the session on a 500 response too (apparatus/variants.py:
SaveOn500SessionMiddleware)."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
MIDDLEWARE = [("conformance.tests.apparatus.variants.SaveOn500SessionMiddleware" if m == SESSION_MIDDLEWARE else m)
              for m in MIDDLEWARE]
