from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_migrate, post_save


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from dangjian.core.rules_seed import seed_rules

        post_migrate.connect(seed_rules, sender=self)

        from dangjian.core.models import (
            RuleValue,
            begin_request_rules,
            end_request_rules,
            forget_request_rules,
        )

        # Rule values are read once per web request (core.models._RequestRules).
        request_started.connect(begin_request_rules, dispatch_uid="dangjian-rules-begin")
        request_finished.connect(end_request_rules, dispatch_uid="dangjian-rules-end")
        post_save.connect(forget_request_rules, sender=RuleValue, dispatch_uid="dangjian-rules-s")
        post_delete.connect(forget_request_rules, sender=RuleValue, dispatch_uid="dangjian-rules-d")
