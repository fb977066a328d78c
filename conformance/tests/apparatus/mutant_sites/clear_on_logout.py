"""The reference site whose logout calls session.clear() instead of flush() (apparatus/variants.py:
ClearOnLogoutMiddleware)."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

# Innermost: it sees request.session before the view.
MIDDLEWARE = [*MIDDLEWARE, "conformance.tests.apparatus.variants.ClearOnLogoutMiddleware"]
