"""The reference Django site exercised by the conformance suite (the Django version is the site
environment's: 5.2 by default).

All session behaviour comes from one channel, the env var
TARGET_SITE_SESSION (a JSON object of SESSION_* overrides), so a test run's
configuration is fully described by that one value.
"""

import json
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def session_overrides(raw):
    """Parse TARGET_SITE_SESSION; only SESSION_* keys may be overridden."""
    if not raw:
        return {}
    try:
        overrides = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TARGET_SITE_SESSION is not valid JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured("TARGET_SITE_SESSION must be a JSON object")
    bad = sorted(k for k in overrides if not k.startswith("SESSION_"))
    if bad:
        raise ImproperlyConfigured(
            f"TARGET_SITE_SESSION may only set SESSION_* settings; rejected: {', '.join(bad)}"
        )
    return overrides


SECRET_KEY = os.environ.get(
    "TARGET_SITE_SECRET_KEY", "dev-only-insecure-target-site-key-not-for-production"
)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + [
    h.strip() for h in os.environ.get("TARGET_SITE_ALLOWED_HOSTS", "").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "conformance.probe",
    "target_site.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "target_site.urls"
WSGI_APPLICATION = "target_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("TARGET_SITE_DB", str(BASE_DIR / "db.sqlite3")),
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CONFORMANCE_PROBE_TOKEN = os.environ.get("CONFORMANCE_PROBE_TOKEN", "")

# Request lines go to stderr via the django.server logger; stdout stays
# reserved for serve.py's single LISTENING line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["stderr"], "level": "WARNING"},
    },
}

# Last, so the single channel decides every SESSION_* value.
globals().update(session_overrides(os.environ.get("TARGET_SITE_SESSION", "")))
