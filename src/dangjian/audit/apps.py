from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from dangjian.audit import signals  # noqa: F401

        # Apps declare their audit actions in their services (audit.actions); import them all
        # so the audit page's filter offers every action before any service has run.
        autodiscover_modules("services")
