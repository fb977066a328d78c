from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "target_site.pages"
    label = "pages"
