"""The shop's settings. SHOP_PLANTED_DEFECT=strip-expiry adds a layer that drops Max-Age and
Expires from the session cookie (the suite must fail AGE-01 on it); SHOP_PG_PORT puts it on a
PostgreSQL server on that port."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "shop-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["shop.example"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "shop",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shop.middleware.LastSeenMiddleware",
]
if os.environ.get("SHOP_PLANTED_DEFECT") == "strip-expiry":
    MIDDLEWARE.insert(0, "shop.middleware.StripSessionExpiryMiddleware")

ROOT_URLCONF = "shop.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "shop.sqlite3"}}
if os.environ.get("SHOP_PG_PORT"):  # the shop on PostgreSQL (its own database: "shop")
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "USER": "postgres",
                             "HOST": "127.0.0.1", "PORT": os.environ["SHOP_PG_PORT"]}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_NAME = "shop_session"
SESSION_COOKIE_AGE = 60 * 60 * 8

USE_TZ = True
TIME_ZONE = "Europe/Paris"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
