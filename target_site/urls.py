from django.urls import include, path

from target_site.pages import views

urlpatterns = [
    path("__conformance__/", include("conformance.probe.urls")),
    path("", views.index, name="index"),
    path("remember/", views.remember, name="remember"),
    path("recall/", views.recall, name="recall"),
]
