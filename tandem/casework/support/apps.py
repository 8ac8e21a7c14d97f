from django.apps import AppConfig


class CaseworkSupportConfig(AppConfig):
    """Intake, plans, service links, flexible funds and outcome snapshots: casework that
    migrates apart from the core casework app (docs/adr/0003-casework-support-app.md)."""

    name = "tandem.casework.support"
    label = "casework_support"
    verbose_name = "Casework support"

    def ready(self) -> None:
        # Registers the timeline sources with tandem.casework.timeline.
        from tandem.casework.support import timeline  # noqa: F401
