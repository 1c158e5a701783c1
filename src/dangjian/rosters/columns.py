"""The roster's columns (党员花名册): one list for the template, the import and the export.

Headers are matched after normalisation (full-width → half-width, spaces dropped), and each
column accepts the other names branches commonly give it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from dangjian.members.choices import (
    ETHNICITIES,
    Education,
    Gender,
    MemberCategory,
    MemberStatus,
    PersonCategory,
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""
    width: int = 12
    choices: tuple[str, ...] = ()  # labels offered in the template's drop-down


GENDERS = tuple(Gender.labels)
EDUCATIONS = tuple(Education.labels)
PERSON_CATEGORIES = tuple(PersonCategory.labels)
CATEGORIES = tuple(MemberCategory.labels)

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, ("党员姓名",), "少数民族姓名中的间隔号请用「·」。", 10),
    Column("gender", "性别", True, (), "男 或 女。", 6, GENDERS),
    Column(
        "ethnicity", "民族", True, (), "填写全称，如「汉族」「维吾尔族」。", 10, tuple(ETHNICITIES)
    ),
    Column(
        "id_number",
        "公民身份号码",
        True,
        ("身份证号", "身份证号码", "公民身份证号", "公民身份证号码", "身份证"),
        "18 位号码。请先把该列设为「文本」格式，否则 Excel 会把后几位变成 0。",
        22,
    ),
    Column("birth_date", "出生日期", False, ("出生年月日",), "可不填，按身份证号计算。", 12),
    Column(
        "education", "学历", True, ("文化程度", "最高学历"), "从下拉列表中选择。", 12, EDUCATIONS
    ),
    Column(
        "person_category",
        "人员类别",
        True,
        ("职业", "工作岗位", "人员身份"),
        "从下拉列表中选择。",
        16,
        PERSON_CATEGORIES,
    ),
    Column("native_place", "籍贯", False, (), "", 12),
    Column("work_unit_post", "工作单位及职务", False, ("单位及职务", "工作单位"), "", 24),
    Column("phone", "联系电话", False, ("手机号码", "手机号", "电话", "联系方式"), "", 14),
    Column(
        "join_date",
        "入党日期",
        True,
        ("入党时间", "加入党组织日期", "入党年月日"),
        "如 2019-07-01、2019.07.01 或 2019年7月1日，须写到日。",
        12,
    ),
    Column(
        "full_date",
        "转正日期",
        False,
        ("转正时间", "转为正式党员日期"),
        "正式党员必填；预备党员不填。",
        12,
    ),
    Column(
        "category",
        "党员类别",
        False,
        ("党员身份", "类别"),
        "正式党员 或 预备党员；不填时按是否有转正日期判断。",
        10,
        CATEGORIES,
    ),
    Column(
        "org",
        "所在党组织",
        False,
        ("所在支部", "所在党支部", "党组织名称", "支部名称", "所属党组织"),
        "党支部全称；不填时导入到所选的党组织。",
        24,
    ),
    Column("org_code", "党组织代码", False, ("组织代码",), "系统导出时自动带出，可不填。", 14),
    Column("status", "党籍状态", False, (), "系统导出时自动带出，导入时不修改党籍状态。", 10),
)
BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c.key not in {"org_code", "status"})
IGNORED_HEADERS = frozenset({"序号", "编号", "备注", "说明", "党小组", "所在党小组"})


def normalize_header(text: str) -> str:
    """「 公民身份号码＊」 → 公民身份号码: full-width folded, spaces and marks dropped."""
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "*:：()（）")


HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_LOOKUP[normalize_header(_name)] = _column.key


def column_for(header: str) -> str | None:
    return HEADER_LOOKUP.get(normalize_header(header))


# Labels and the other words rosters use for them → the stored codes.
def _labels(choices: type) -> dict[str, str]:
    return {label: value for value, label in choices.choices}  # type: ignore[attr-defined]


GENDER_WORDS = _labels(Gender) | {"男性": Gender.MALE, "女性": Gender.FEMALE}
ETHNICITY_WORDS = {name: f"{i:02d}" for i, name in enumerate(ETHNICITIES, start=1)} | {
    name.removesuffix("族"): f"{i:02d}" for i, name in enumerate(ETHNICITIES, start=1)
}
EDUCATION_WORDS = _labels(Education) | {
    "博士研究生": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "中专": Education.SECONDARY_VOCATIONAL,
    "中技": Education.SECONDARY_VOCATIONAL,
    "技工学校": Education.SECONDARY_VOCATIONAL,
    "职高": Education.HIGH_SCHOOL,
    "初中": Education.JUNIOR_OR_BELOW,
    "小学": Education.JUNIOR_OR_BELOW,
}
PERSON_CATEGORY_WORDS = _labels(PersonCategory) | {
    "农民": PersonCategory.FARMER,
    "牧民": PersonCategory.FARMER,
    "渔民": PersonCategory.FARMER,
    "离休": PersonCategory.RETIRED,
    "退休": PersonCategory.RETIRED,
    "离退休": PersonCategory.RETIRED,
    "离休人员": PersonCategory.RETIRED,
    "退休人员": PersonCategory.RETIRED,
    "专技人员": PersonCategory.PROFESSIONAL,
    "企业管理人员": PersonCategory.MANAGER,
    "机关工作人员": PersonCategory.OFFICIAL,
    "公务员": PersonCategory.OFFICIAL,
    "其他职业人员": PersonCategory.OTHER,
}
CATEGORY_WORDS = _labels(MemberCategory) | {
    "正式": MemberCategory.FULL,
    "预备": MemberCategory.PROBATIONARY,
}
STATUS_WORDS = _labels(MemberStatus)
