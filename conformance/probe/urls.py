from django.urls import path

from ..protocol import ASYNC_ACTIONS
from . import async_views, pages, views

app_name = "conformance_probe"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("read/", views.read, name="read"),
    path("touch/", views.touch, name="touch"),
    path("signin/", views.signin, name="signin"),
    path("logout/", views.logout, name="logout"),
    path("settings/", views.session_settings, name="settings"),
]

# The same actions through Django's async session API (async_views.py; 501 before Django 5.1).
urlpatterns += [
    path(f"async/{action}/", getattr(async_views, action), name=f"async-{action}")
    for action in ASYNC_ACTIONS
]

# Pages without caching headers of their own, for the cache-safety checks (pages.py).
urlpatterns += [
    path("page/public/", pages.public, name="page-public"),
    path("page/welcome/", pages.welcome, name="page-welcome"),
    path("page/recall/", pages.recall, name="page-recall"),
    path("page/account/", pages.account, name="page-account"),
    path("page/logout/", pages.logout_page, name="page-logout"),
]
