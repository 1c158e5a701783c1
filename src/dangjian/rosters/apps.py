from django.apps import AppConfig


class RostersConfig(AppConfig):
    """党员花名册导入导出与打印表格: the roster in and out of the system."""

    name = "dangjian.rosters"
    verbose_name = "花名册导入导出"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.rosters import procedures  # noqa: F401  (registers the import procedure)
        from dangjian.rosters.workbench import BatchesToConfirm

        workbench.register(BatchesToConfirm())  # 工作台
