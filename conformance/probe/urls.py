from django.urls import path

from . import views

app_name = "conformance_probe"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("read/", views.read, name="read"),
    path("touch/", views.touch, name="touch"),
    path("logout/", views.logout, name="logout"),
    path("settings/", views.session_settings, name="settings"),
]
