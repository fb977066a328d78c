"""The reference site behind Django's per-site cache, configured as the cache docs show it
(UpdateCacheMiddleware first, FetchFromCacheMiddleware last): a deployment that caches whole pages
in Django itself. The cache-safety checks judge what it does with session responses."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it
from target_site.settings import MIDDLEWARE

MIDDLEWARE = [
    "django.middleware.cache.UpdateCacheMiddleware",
    *MIDDLEWARE,
    "django.middleware.cache.FetchFromCacheMiddleware",
]
CACHE_MIDDLEWARE_SECONDS = 600
CACHE_MIDDLEWARE_KEY_PREFIX = "reference"
