from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.members.workbench import ProbationEnding

        workbench.register(ProbationEnding())  # 工作台
