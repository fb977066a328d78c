"""The reference site behind a layer that breaks one promise (apparatus/variants.py: PublicEverythingMiddleware)."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

# Outermost: it sees the response after SessionMiddleware and the views set their headers.
MIDDLEWARE = ["conformance.tests.apparatus.variants.PublicEverythingMiddleware", *MIDDLEWARE]
