from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    """民主评议党员: the annual 组织生活会 and 民主评议 procedure, grades, and the follow-up
    for 不合格 members (限期改正, 劝其退党, 除名); 自行脱党 offered from the records."""

    name = "dangjian.appraisal"
    verbose_name = "民主评议党员"

    def ready(self) -> None:
        from dangjian.appraisal import procedures  # noqa: F401  (registers the procedures)
        from dangjian.appraisal.workbench import PROVIDERS
        from dangjian.core import workbench

        for provider in PROVIDERS:
            workbench.register(provider)  # 工作台
