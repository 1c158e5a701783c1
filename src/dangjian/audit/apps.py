from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from dangjian.audit import signals  # noqa: F401
        from dangjian.audit.services import record_audit
        from dangjian.core import procedures

        # Each procedure step is audited through this hook: core may not import audit.
        procedures.configure(
            audit=lambda actor, action, target, detail: record_audit(
                action, actor=actor, target=target, detail=detail
            )
        )
