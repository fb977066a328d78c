"""Ordinary session-using pages, written the way Django's docs show them."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

PAGE = "<!doctype html><html><head><title>{}</title></head><body>{}</body></html>"


def _page(title, body):
    return HttpResponse(format_html(PAGE, title, body))


def index(request):
    return _page(
        "target site",
        mark_safe(
            '<ul><li><a href="/remember/?value=hello">remember</a></li>'
            '<li><a href="/recall/">recall</a></li></ul>'
        ),
    )


def remember(request):
    value = request.GET.get("value", "")
    expiry = request.GET.get("expiry")
    if expiry is not None:
        try:
            expiry = int(expiry)
        except ValueError:
            return HttpResponseBadRequest("expiry must be an integer number of seconds")
    request.session["remembered"] = value
    if expiry is not None:
        request.session.set_expiry(expiry)
    return _page("remembered", format_html('<p id="value">{}</p>', value))


def recall(request):
    # .get() never marks the session modified, so no Set-Cookie by default.
    value = request.session.get("remembered")
    shown = "(nothing)" if value is None else value
    return _page("recall", format_html('<p id="value">{}</p>', shown))
