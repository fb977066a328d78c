from django.conf import settings
from django.utils import timezone


class LastSeenMiddleware:
    """Writes when a signed-in customer was last seen into their session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.session["last_seen"] = timezone.now().isoformat()
        return self.get_response(request)


class StripSessionExpiryMiddleware:
    """A planted defect: drops Max-Age and Expires from the session cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        morsel = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if morsel is not None and morsel.value:
            morsel["max-age"] = ""
            morsel["expires"] = ""
        return response
