"""A production-shaped settings module for the reference site's code: the project's own tests'
"deployment the suite did not start" (conformance/tests/apparatus/deployed.py runs it under
gunicorn over TLS). It stands alone rather than importing target_site.settings, so that module's
channel for the suite (TARGET_SITE_SESSION) does not apply here and the probe is not installed
by default.

Environment:

* ``TARGET_SITE_DB``: SQLite file (as in target_site.settings).
* ``TARGET_SITE_ALLOWED_HOSTS``: extra comma-separated hosts.
* ``TARGET_SITE_SECRET_KEY``: secret key (a fixed test-only default otherwise).
* ``DEPLOY_SESSION_COOKIE_AGE``: seconds (default 1209600, Django's default).
* ``DEPLOY_SAVE_EVERY_REQUEST``: ``1``/``0`` (default ``0``).
* ``DEPLOY_CACHE_DIR``: directory of the file-based cache behind the
  ``cached_db`` session store. It must be shared by every worker process: a
  per-process (locmem) cache would let one worker keep serving a session
  another worker has already flushed or re-saved.
* ``DEPLOY_ABSOLUTE_TIMEOUT``: seconds after sign-in a session ends however active (0: none).
* ``DEPLOY_IDLE_TIMEOUT``: seconds without a request after which a signed-in session ends (0:
  none); every signed-in request then saves the session (deployment/timeouts.py).
* ``DEPLOY_TIMEOUT_COUNTS_FROM``: where the absolute timeout starts: ``session`` (default, this
  session's sign-in) or ``last_login`` (the account's last sign-in anywhere: a broken site).
* ``DEPLOY_LOGIN``: ``plain`` (default) or ``remember``: the login page gains an unticked
  "Remember me" box; unticked means a browser-length session (deployment/remember.py).
* ``DEPLOY_LOGOUT_MENU``: ``1``: the account page's only logout is a POST button inside a
  hidden account menu, opened by a toggle (default ``0``: a GET link and a visible POST form).
* ``DEPLOY_VARIANT``: a breakage from conformance/tests/apparatus/variants.py.
* ``DEPLOY_BEHIND_PROXY``: ``1``: served behind a reverse proxy that terminates TLS and says so in
  X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), as behind nginx.
* ``DEPLOY_LOGIN_RATE``: django-ratelimit on the login form's POST, per address (e.g. ``5/10s``):
  a sign-in over the limit gets HTTP 403, as a throttled login does.
* ``DEPLOY_LOCKOUT_AFTER``: django-axes locks the account out after this many failed sign-ins; a
  locked-out sign-in gets HTTP 429 and axes' lockout message.
* ``CONFORMANCE_PROBE_TOKEN``: the documented staging-only pattern; when
  empty (the default) ``conformance.probe`` is neither installed nor routed.
"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _int_env(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer number of seconds, got {raw!r}") from exc


def _flag_env(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw in ("1", "0"):
        return raw == "1"
    raise ImproperlyConfigured(f"{name} must be '1' or '0', got {raw!r}")


def _choice_env(name, choices):
    """The first choice is the default."""
    raw = os.environ.get(name, "").strip() or choices[0]
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


SECRET_KEY = os.environ.get(
    "TARGET_SITE_SECRET_KEY", "test-only-deployment-key-not-a-secret-0123456789abcdef"
)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + [
    h.strip() for h in os.environ.get("TARGET_SITE_ALLOWED_HOSTS", "").split(",") if h.strip()
]

# Staging-only: the probe exists only when a token is configured.
CONFORMANCE_PROBE_TOKEN = os.environ.get("CONFORMANCE_PROBE_TOKEN", "")

INSTALLED_APPS = [
    "django.contrib.admin",  # its login and POST-only logout are the README's black-box example
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
]
if CONFORMANCE_PROBE_TOKEN:
    INSTALLED_APPS.append("conformance.probe")

MIDDLEWARE = [
    "conformance.tests.apparatus.deployment.static.StaticWithoutSessionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A deliberately broken deployment for the project's own tests (e.g. "strip-expiry": a
# middleware that drops the cookie's Max-Age/Expires), as a reverse proxy or app middleware might.
if os.environ.get("DEPLOY_VARIANT"):
    from conformance.tests.apparatus.variants import apply as _apply_variants

    MIDDLEWARE = _apply_variants(MIDDLEWARE, os.environ["DEPLOY_VARIANT"])

# Idle and absolute timeouts: Django has neither, sites add them by middleware. (Not named
# SESSION_*: the probe reports every SESSION_* setting as Django's.)
IDLE_SESSION_TIMEOUT = _int_env("DEPLOY_IDLE_TIMEOUT", 0)
ABSOLUTE_SESSION_TIMEOUT = _int_env("DEPLOY_ABSOLUTE_TIMEOUT", 0)
TIMEOUTS_COUNT_FROM = _choice_env("DEPLOY_TIMEOUT_COUNTS_FROM", ("session", "last_login"))
if IDLE_SESSION_TIMEOUT or ABSOLUTE_SESSION_TIMEOUT:
    MIDDLEWARE.append("conformance.tests.apparatus.deployment.timeouts.SessionTimeoutMiddleware")

if _flag_env("DEPLOY_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling, as real sites add it: a rate limit on the login view (urls.py), and an
# account lockout after failed sign-ins (django-axes: its middleware and authentication backend).
LOGIN_RATE = os.environ.get("DEPLOY_LOGIN_RATE", "").strip()
LOCKOUT_AFTER = _int_env("DEPLOY_LOCKOUT_AFTER", 0)
if LOGIN_RATE:
    RATELIMIT_USE_CACHE = "default"
if LOCKOUT_AFTER:
    INSTALLED_APPS.append("axes")
    MIDDLEWARE.append("axes.middleware.AxesMiddleware")
    AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
    AXES_FAILURE_LIMIT = LOCKOUT_AFTER
    AXES_LOCKOUT_PARAMETERS = ["username"]

# Site shapes real sites have (read by urls.py and the templates).
LOGIN_SHAPE = _choice_env("DEPLOY_LOGIN", ("plain", "remember"))
LOGOUT_MENU = _flag_env("DEPLOY_LOGOUT_MENU", False)

ROOT_URLCONF = "conformance.tests.apparatus.deployment.urls"
WSGI_APPLICATION = "target_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("TARGET_SITE_DB", str(BASE_DIR / "deployment.sqlite3")),
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("DEPLOY_CACHE_DIR")
        or str(Path(tempfile.gettempdir()) / "target_site_deployment_cache"),
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_NAME = "__Host-sessionid"  # __Host-: Secure, Path=/, no Domain
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _int_env("DEPLOY_SESSION_COOKIE_AGE", 1209600)
SESSION_SAVE_EVERY_REQUEST = _flag_env("DEPLOY_SAVE_EVERY_REQUEST", False)
CSRF_COOKIE_SECURE = True
# No SECURE_HSTS_SECONDS on purpose: HSTS is per host, not per port, and a
# browser remembering it for localhost would break every plain-http target.

# Not served (no collectstatic, DEBUG off): the admin's stylesheets 404 at once instead of
# resolving relative to the page into more Django views.
STATIC_URL = "/static/"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING"}},
}
