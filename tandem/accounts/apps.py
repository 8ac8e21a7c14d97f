from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tandem.accounts import receivers  # noqa: F401  (connects the signal receivers)
