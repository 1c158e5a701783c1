from django.apps import AppConfig

# 档案材料 of a member (scans; the originals go to the 人事档案): kept without a time limit,
# like the file they copy; 其他材料 by the default (DANGJIAN_DOCUMENT_RETENTION_YEARS).
MEMBER_DOCUMENT_KINDS = ("入党申请书", "入党志愿书", "转正申请书", "政治审查材料", "其他材料")
PERMANENT = {"入党申请书": None, "入党志愿书": None, "转正申请书": None, "政治审查材料": None}


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
        from dangjian.documents.registry import register_target
        from dangjian.members.models import Member

        register_target(
            Member,
            path=lambda member: member.org_path,
            kinds=MEMBER_DOCUMENT_KINDS,
            retention_years=PERMANENT,
        )
