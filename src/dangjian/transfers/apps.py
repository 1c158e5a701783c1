from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """组织关系转接: transfers between organizations, the 介绍信 and its 回执."""

    name = "dangjian.transfers"
    verbose_name = "组织关系转接"
