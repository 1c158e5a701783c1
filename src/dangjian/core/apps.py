from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from dangjian.core.rules_seed import seed_rules

        post_migrate.connect(seed_rules, sender=self)
