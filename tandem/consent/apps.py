from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "tandem.consent"
    label = "consent"
