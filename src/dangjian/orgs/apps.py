from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.orgs.workbench import TermEnding

        workbench.register(TermEnding())  # 工作台
