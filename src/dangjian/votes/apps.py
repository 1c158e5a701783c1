from django.apps import AppConfig


class VotesConfig(AppConfig):
    """表决与选举: polls, ballots and their count."""

    name = "dangjian.votes"
    verbose_name = "表决与选举"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.votes.workbench import PollsOpenForMe

        workbench.register(PollsOpenForMe())  # 工作台
