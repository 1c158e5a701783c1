from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """组织关系转接: transfers between organizations, the 介绍信 and its 回执."""

    name = "dangjian.transfers"
    verbose_name = "组织关系转接"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.transfers import procedures  # noqa: F401  (registers the procedure)
        from dangjian.transfers.workbench import LettersExpiring, ReceiptsOverdue, TransfersToActOn

        workbench.register(TransfersToActOn())
        workbench.register(LettersExpiring())
        workbench.register(ReceiptsOverdue())
