from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from dangjian.accounts import signals  # noqa: F401
        from dangjian.accounts.scope import scope_for
        from dangjian.core import procedures

        # Procedures (core) check abilities through this hook: core may not import accounts.
        procedures.configure(can=lambda actor, ability, path: scope_for(actor).can(ability, path))
