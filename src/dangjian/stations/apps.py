from django.apps import AppConfig


class StationsConfig(AppConfig):
    """党员服务站: service stations (党员服务站/点) and help given to mobile members."""

    name = "dangjian.stations"
    verbose_name = "党员服务站"
