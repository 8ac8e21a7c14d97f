from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "tandem.policy"
    label = "policy"
