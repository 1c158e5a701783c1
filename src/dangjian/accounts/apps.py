from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from dangjian.accounts import signals  # noqa: F401
