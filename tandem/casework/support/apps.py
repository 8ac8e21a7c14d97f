from django.apps import AppConfig


class CaseworkSupportConfig(AppConfig):
    """Intake, plans, service links, flexible funds and outcome snapshots: casework that
    migrates apart from the core casework app (docs/adr/0003-casework-support-app.md)."""

    name = "tandem.casework.support"
    label = "casework_support"
    verbose_name = "Casework support"

    def ready(self) -> None:
        # Registers the timeline sources with tandem.casework.timeline, and goals and service
        # links as what a contact touches with tandem.casework.contact_links.
        from tandem.casework.support import contact_links, timeline  # noqa: F401
