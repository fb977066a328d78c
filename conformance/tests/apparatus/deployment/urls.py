"""URLs of the test deployment (apparatus/deployment/settings.py): a login-protected account page.
The login page's and the account page's shapes follow LOGIN_SHAPE and LOGOUT_MENU.

The conformance probe is routed only when CONFORMANCE_PROBE_TOKEN is set
(the staging-only pattern from the README).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path
from django.views.decorators.cache import never_cache

from .remember import RememberMeLoginView


@login_required
@never_cache
def account(request):
    return render(request, "deployment/account.html", {"logout_menu": settings.LOGOUT_MENU})


def public(request):
    """A page that never touches the session (the cache-safety checks' public page)."""
    return HttpResponse("<!doctype html><title>about</title><p>About this site.</p>")


@never_cache
def shop(request):
    """A page that gives every visitor a session, signed in or not, as a shop's cart does: where
    session fixation can be tried through the login form."""
    request.session.setdefault("cart", [])
    request.session.modified = True  # setdefault marks only a new cart
    return HttpResponse("<!doctype html><title>shop</title><h1>Your cart</h1><p>Your cart is empty.</p>")


@never_cache
def logout_now(request):
    """GET-able logout for black-box testers (Django 5's LogoutView is POST-only)."""
    logout(request)
    return redirect(settings.LOGIN_URL)


if settings.LOGIN_SHAPE == "remember":
    login_view = RememberMeLoginView.as_view()
else:
    login_view = auth_views.LoginView.as_view(template_name="deployment/login.html")

if settings.LOGIN_RATE:  # a throttled login, as django-ratelimit's docs show it (HTTP 403 over the limit)
    from django_ratelimit.decorators import ratelimit

    login_view = ratelimit(key="ip", rate=settings.LOGIN_RATE, method="POST", block=True)(login_view)

urlpatterns = [
    path("", lambda request: redirect("account"), name="home"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/logout-now/", logout_now, name="logout-now"),
    path("account/", account, name="account"),
    path("about/", public, name="about"),
    path("shop/", shop, name="shop"),
    path("admin/", admin.site.urls),
]

if settings.CONFORMANCE_PROBE_TOKEN:
    urlpatterns.append(path("__conformance__/", include("conformance.probe.urls")))
