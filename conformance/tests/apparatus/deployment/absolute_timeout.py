"""An absolute session timeout, as sites add one (Django has none): the session ends this long
after sign-in, however active the user is. Used by the test deployment's settings when
DEPLOY_ABSOLUTE_TIMEOUT is set, so the project's own tests can check SRV-05 against it."""

import time

from django.conf import settings
from django.contrib.auth import logout

STARTED = "_absolute_timeout_started"


class AbsoluteTimeoutMiddleware:
    """After AuthenticationMiddleware: stamp a signed-in session once, log it out once too old."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.ABSOLUTE_SESSION_TIMEOUT

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(STARTED)
            if started is None:
                request.session[STARTED] = time.time()
            elif time.time() - started >= self.limit:
                logout(request)  # flush(): the old session key is dead on the server too
        return self.get_response(request)
