from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"

    def ready(self) -> None:
        from tandem.audit import receivers  # noqa: F401  (connects the signal receivers)
