from django.apps import AppConfig


class DeliberationsConfig(AppConfig):
    """四议两公开: the village decision procedure (提议, 商议, 审议, 决议, 两公开)."""

    name = "dangjian.deliberations"
    verbose_name = "四议两公开"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.deliberations import procedures  # noqa: F401  (registers the procedure)
        from dangjian.deliberations.workbench import DecisionsToPublish, ResultsToPublish

        workbench.register(DecisionsToPublish())
        workbench.register(ResultsToPublish())
