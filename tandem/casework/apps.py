from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "tandem.casework"
    label = "casework"

    def ready(self) -> None:
        # Contacts, enrollment changes and referrals on every participant's timeline.
        from tandem.casework import sources  # noqa: F401
