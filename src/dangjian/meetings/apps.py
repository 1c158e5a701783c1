from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """组织生活: 三会一课, 主题党日, 组织生活会 and 民主生活会, their attendance and plan."""

    name = "dangjian.meetings"
    verbose_name = "组织生活"
