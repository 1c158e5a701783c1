from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from dangjian.audit import signals  # noqa: F401
