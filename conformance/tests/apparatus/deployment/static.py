"""Static files answered before the session middleware, as the web server in front of a real
deployment serves them: without it every stylesheet of a page saved the session too (the
deployment's sliding mode saves on every request), and under a page's burst of parallel saves
SQLite's write lock held a save for seconds. Django computes a cookie's Expires before the save
and the response's Date after it, so those waits read as AGE-02 mismatches (measured: 2 s)."""

from django.conf import settings
from django.http import HttpResponseNotFound


class StaticWithoutSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(settings.STATIC_URL) or request.path == "/favicon.ico":
            return HttpResponseNotFound()  # nothing is collected: a web server would 404 as well
        return self.get_response(request)
