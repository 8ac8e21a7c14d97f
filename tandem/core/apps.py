from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self) -> None:
        from tandem.core.periodic import autodiscover

        # Every process (web, `tandem worker`, `tandem run_periodic`) registers the same
        # periodic jobs and tasks: each app's tasks.py.
        autodiscover()
