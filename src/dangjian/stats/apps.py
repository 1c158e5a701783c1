from django.apps import AppConfig


class StatsConfig(AppConfig):
    """党内统计: reports for any subtree on any date."""

    name = "dangjian.stats"
    verbose_name = "党内统计"

    def ready(self) -> None:
        from dangjian.members import watch
        from dangjian.stats.columnar import TickWatcher
        from dangjian.stats.rollups import RollupWatcher

        watch.register(RollupWatcher())
        watch.register(TickWatcher())
