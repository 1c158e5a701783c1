from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from dangjian.audit.display import register_value_rule
        from dangjian.members.display import filters_in_words

        register_value_rule("filters", filters_in_words)
        from dangjian.core import workbench
        from dangjian.members.workbench import ProbationEnding

        workbench.register(ProbationEnding())  # 工作台
