from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """跨系统转接: paper letters from other systems and signed packets between installations."""

    name = "dangjian.exchange"
    verbose_name = "跨系统转接"
