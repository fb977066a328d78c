"""A login page with a "Remember me" box, as Wagtail's admin and django-allauth have: ticked, the
session lasts SESSION_COOKIE_AGE; unticked, it is a browser-length session (set_expiry(0)).
Used by the test deployment when DEPLOY_LOGIN=remember."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView


class RememberMeAuthenticationForm(AuthenticationForm):
    remember = forms.BooleanField(required=False)


class RememberMeLoginView(LoginView):
    form_class = RememberMeAuthenticationForm
    template_name = "deployment/login.html"
    extra_context = {"remember_me": True}  # the template renders the box itself, without an id

    def form_valid(self, form):
        response = super().form_valid(form)  # login(): the session under its new key
        remember = form.cleaned_data["remember"]
        self.request.session.set_expiry(settings.SESSION_COOKIE_AGE if remember else 0)
        return response
