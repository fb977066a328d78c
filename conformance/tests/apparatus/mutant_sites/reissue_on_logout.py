"""The reference site whose session middleware never deletes the cookie, as django-user-sessions
2.0's does (apparatus/variants.py: ReissueSessionMiddleware): a logout re-issues a new, empty
session's key with a full Max-Age instead of deleting the cookie."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

# In Django's place: the swap is the whole breakage.
MIDDLEWARE = [
    "conformance.tests.apparatus.variants.ReissueSessionMiddleware"
    if m == "django.contrib.sessions.middleware.SessionMiddleware" else m
    for m in MIDDLEWARE
]
