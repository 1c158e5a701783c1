from django.apps import AppConfig


class MobileConfig(AppConfig):
    """流动党员: members away from home, their contacts and the 流动党员活动证."""

    name = "dangjian.mobile"
    verbose_name = "流动党员"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.mobile.workbench import PROVIDERS

        for provider in PROVIDERS:
            workbench.register(provider)  # 工作台
        from dangjian.mobile.selectors import incoming_member_ids
        from dangjian.stations.selectors import register_member_source

        register_member_source(incoming_member_ids)  # help at stations for 流入党员
        from dangjian.members import watch
        from dangjian.mobile.watch import StayWatcher

        watch.register(StayWatcher())  # a member leaving the Party ends the open stay
