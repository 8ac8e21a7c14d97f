from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "tandem.legal"
    label = "legal"
