"""Links into Django's documentation for the site's own Django version: a check names a path
(`DJANGO_DOCS + "ref/settings/#session-cookie-age"`), the report shows it under the version the
site runs (docs.djangoproject.com/en/5.2/..., /en/6.1/...)."""

from __future__ import annotations

import re

DJANGO_DOCS = "django-docs:"  # marks a path relative to https://docs.djangoproject.com/en/<version>/


def series(django: str | None) -> str:
    """The docs' version folder: "5.2" for any 5.2.x, "dev" for a pre-release, "stable" when unknown."""
    match = re.match(r"^(\d+)\.(\d+)(\.\d+)?(.*)$", django or "")
    if not match:
        return "stable"
    return "dev" if match[4] else f"{match[1]}.{match[2]}"


def doc_url(doc: str, django: str | None) -> str:
    if doc.startswith(DJANGO_DOCS):
        return f"https://docs.djangoproject.com/en/{series(django)}/{doc[len(DJANGO_DOCS):]}"
    return doc
