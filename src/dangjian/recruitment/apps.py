from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    """发展党员: the five stages and twenty-five steps from 入党申请 to 转正 and 归档."""

    name = "dangjian.recruitment"
    verbose_name = "发展党员"

    def ready(self) -> None:
        from dangjian.accounts.abilities import Ability
        from dangjian.documents.registry import register_target
        from dangjian.members.services import register_probation_keeper
        from dangjian.recruitment import procedures  # noqa: F401  (registers the procedure)
        from dangjian.recruitment.models import Applicant
        from dangjian.recruitment.selectors import probation_kept_by_file

        register_probation_keeper(probation_kept_by_file)  # 转正 goes through the file
        from dangjian.recruitment.workbench import PROVIDERS

        # Scans are optional (减负): the paper file is the record; no step waits for a scan.
        register_target(
            Applicant,
            path=lambda a: a.org_path,
            kinds=list(DOCUMENT_KINDS),
            upload_ability=Ability.EDIT_MEMBERS,
            section_title="发展党员材料",
        )
        from dangjian.core import workbench

        for provider in PROVIDERS:
            workbench.register(provider)  # 工作台: due, awaiting the 党委, 培养联系人


# 发展党员材料 (the 档案 of 细则第三十八条), in the order they arise.
DOCUMENT_KINDS = (
    "入党申请书",
    "谈话记录",
    "推荐材料",
    "入党积极分子考察登记表",
    "思想汇报",
    "政治审查材料",
    "培训结业证明",
    "预审意见",
    "入党志愿书",
    "转正申请书",
    "其他材料",
)
