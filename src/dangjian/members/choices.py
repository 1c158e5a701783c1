"""Code lists of the member record (the national registry's items, simplified)."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    """学历."""

    POSTGRADUATE = "pg", "研究生"
    BACHELOR = "ba", "大学本科"
    COLLEGE = "co", "大学专科"
    SECONDARY_VOCATIONAL = "sv", "中等专科"
    HIGH_SCHOOL = "hs", "高中"
    JUNIOR_OR_BELOW = "js", "初中及以下"


HIGHER_EDUCATION = frozenset({Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE})


class PersonCategory(models.TextChoices):
    """人员类别 (the statistics bulletin's occupation breakdown)."""

    WORKER = "worker", "工人"
    FARMER = "farmer", "农牧渔民"
    PROFESSIONAL = "prof", "专业技术人员"
    MANAGER = "manager", "管理人员"
    OFFICIAL = "official", "党政机关工作人员"
    STUDENT = "student", "学生"
    RETIRED = "retired", "离退休人员"
    OTHER = "other", "其他"


class MemberCategory(models.TextChoices):
    """党员类别."""

    FULL = "full", "正式党员"
    PROBATIONARY = "prob", "预备党员"


class MemberStatus(models.TextChoices):
    """党籍状态."""

    ACTIVE = "active", "正常"
    TRANSFERRED_OUT = "out", "已转出"
    SUSPENDED = "suspended", "停止党籍"
    EXITED = "exited", "已出党"
    CANCELLED = "cancelled", "已取消预备党员资格"
    DECEASED = "deceased", "已去世"


# The 56 ethnic groups in the order of GB/T 3304 codes 01–56.
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
    "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNICITIES, start=1)]
HAN = "01"
