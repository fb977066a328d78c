from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "conformance.probe"
    label = "conformance_probe"
    verbose_name = "Session conformance probe"
