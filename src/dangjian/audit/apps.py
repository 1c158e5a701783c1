from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from dangjian.audit import signals  # noqa: F401
        from dangjian.audit.services import record_audit
        from dangjian.core import procedures

        # Each procedure step is audited through this hook: core may not import audit.
        procedures.configure(
            audit=lambda actor, action, target, detail: record_audit(
                action, actor=actor, target=target, detail=detail
            )
        )

        # Apps declare their audit actions in their services (audit.actions); import them all
        # so the audit page's filter offers every action before any service has run.
        autodiscover_modules("services")
