"""Synthetic county (演示数据): an organization tree and members with realistic distributions.

The same code loads the 400-member demo and multi-million-member datasets for the benchmarks:

- `plan_county` sizes a county for a member count (≈21.7 members a branch, the national
  average) and returns the tree as plain `OrgRow`s: a county committee with its organs'
  working committee (机关工委), townships with villages and communities, the education working
  committee with schools, a hospital, state-owned and private enterprises (with a 联合党支部 for
  small firms), social organizations, 党小组 in the bigger branches, and a temporary branch.
- `build_tree` computes treebeard's materialized paths itself and inserts the whole tree with
  `bulk_create_with_history` (a few queries, whatever its size), units included: the units
  organizations sit in, and each 联合党支部's small firms (no organization of their own).
- `MemberStream` streams `(MemberData, Admission)` rows for `bulk_register_members`, so memory
  stays flat however many members are loaded, and notes on the side who becomes a branch
  secretary, who gets the demo member login and which later events to record. A member's
  工作单位 is the branch's unit (the village, the community, a retirees' former unit …); in a
  联合党支部 one of its firms, a few of which have enough full members to be bound to set up
  an organization of their own (so the county's 单位建立党组织情况 is not all 100%).

Distributions follow the 2024 national statistics bulletin (shared/domain/rules.md §9): sex,
ethnicity, age bands, education, occupation (人员类别), join periods, ≈2.2% probationary members
(yearly intake), new members mostly young and nearly half women. They are reached by
construction: every branch has a profile (village, agency, school …) with its share of members,
and each profile draws ages, occupations and schooling so that the mixture matches the national
figures (`tests/test_seed_demo.py` checks the shares).

Deterministic: the same member count, seed and date give the same rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric, uscc

from dangjian.core.rules_seed import seeded_value
from dangjian.members.choices import HAN, Gender, PersonCategory
from dangjian.members.history import PROBATION_MONTHS, RuleLookup
from dangjian.members.models import MemberEvent
from dangjian.members.services import Admission, MemberData
from dangjian.orgs.models import Organization, OrgKind, Unit

COUNTY = "清河县"
COUNTY_AREA = "130534"  # 河北省清河县 (132236 before 1993, see HOME below)
SEAT = "城关镇"  # the county seat's township; the township demo login administers it
SEAT_VILLAGE = "张庄村"  # the branch of the secretary and member demo logins
DEMO_PASSWORD = "Demo@2026"

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default path alphabet
GOV, INST, SOE, PRIVATE = "gov", "inst", "soe", "private"  # Unit.Category values
SOCIAL, VILLAGE, COMMUNITY, SCHOOL, OTHER = "social", "village", "community", "school", "other"
CN_DIGITS = "零一二三四五六七八九"


def _words(text: str) -> list[str]:
    return text.split()


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五 (for 第N党支部)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + CN_DIGITS[rest]) if rest < 10 else cn_number(rest)
        if 10 <= rest < 20:
            tail = "一" + tail
        return CN_DIGITS[n // 100] + "百" + tail
    return str(n)


# ---- places and ID numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A native place (籍贯) and the area codes its ID numbers carry, by year of birth.

    Codes change when counties are reorganized (邢台地区 became 邢台市 in 1993, so 清河县 moved
    from 132236 to 130534); python-stdnum checks the code against the year of birth, and so
    does this table.
    """

    name: str
    codes: tuple[tuple[int, str], ...]  # (first year of birth, area code), ascending

    def code(self, year: int) -> str:
        chosen = self.codes[0][1]
        for first, code in self.codes:
            if year >= first:
                chosen = code
        return chosen


HOME = Place("河北清河", ((0, "132236"), (1993, COUNTY_AREA)))
ELSEWHERE: list[tuple[Place, float]] = [
    (Place("河北威县", ((0, "132235"), (1993, "130533"))), 3),
    (Place("河北临西", ((0, "132237"), (1993, "130535"))), 2),
    (Place("河北南宫", ((0, "132230"), (1986, "132201"), (1993, "130581"))), 2),
    (Place("河北故城", ((0, "133029"), (1996, "131126"))), 1.5),
    (Place("山东临清", ((0, "372528"), (1983, "372502"), (1997, "371581"))), 2),
    (Place("山东夏津", ((0, "372423"), (1994, "371427"))), 1),
    (Place("河北石家庄", ((0, "130100"),)), 1),
    (Place("北京", ((0, "110105"),)), 0.5),
    (Place("天津", ((0, "120101"),)), 0.5),
    (Place("山东济南", ((0, "370100"),)), 0.5),
]
HOME_SHARE = 0.82  # of Han members born in the county

# Ethnic minorities (7.7% of members, 2024): weights ≈ shares of the minority population (2020
# census); the place their ID numbers come from; how their names are written.
MINORITY_SHARE = 0.077


@dataclass(frozen=True)
class Ethnicity:
    code: str
    weight: float
    place: Place
    naming: str = "han"  # han, uyghur, kazakh, tibetan, mongol
    local_share: float = 0.0  # born in the county (回族 and 满族 live in Hebei too)


MINORITIES = [
    Ethnicity("08", 15.7, Place("广西南宁", ((0, "450100"),))),  # 壮族
    Ethnicity("05", 9.3, Place("新疆喀什", ((0, "653101"),)), "uyghur"),  # 维吾尔族
    Ethnicity("03", 9.1, Place("宁夏银川", ((0, "640100"),)), local_share=0.6),  # 回族
    Ethnicity("06", 8.9, Place("湖南凤凰", ((0, "433123"),))),  # 苗族
    Ethnicity("11", 8.3, Place("辽宁丹东", ((0, "210600"),)), local_share=0.6),  # 满族
    Ethnicity("07", 7.8, Place("云南楚雄", ((0, "532300"),))),  # 彝族
    Ethnicity("15", 7.6, Place("湖南凤凰", ((0, "433123"),))),  # 土家族
    Ethnicity("04", 5.6, Place("西藏拉萨", ((0, "540100"),)), "tibetan"),  # 藏族
    Ethnicity("02", 5.0, Place("内蒙古呼和浩特", ((0, "150100"),)), "mongol"),  # 蒙古族
    Ethnicity("09", 2.9, Place("贵州都匀", ((0, "522701"),))),  # 布依族
    Ethnicity("12", 2.8, Place("贵州贵阳", ((0, "520100"),))),  # 侗族
    Ethnicity("13", 2.6, Place("广西柳州", ((0, "450200"),))),  # 瑶族
    Ethnicity("14", 1.7, Place("云南大理", ((0, "532900"),))),  # 白族
    Ethnicity("10", 1.4, Place("吉林延吉", ((0, "222401"),))),  # 朝鲜族
    Ethnicity("17", 1.2, Place("新疆乌鲁木齐", ((0, "650121"),)), "kazakh"),  # 哈萨克族
]


class IdNumbers:
    """Synthetic 公民身份号码: area code + birth date + 3-digit sequence + check digit.

    The sequence's last digit is odd for men and even for women (GB 11643); numbers are unique
    per (area, birth date, sex) with up to 500 people each, and a full slot moves on to a
    neighbouring county's code. Memory is bounded by the number of distinct (area, date) pairs.
    """

    def __init__(self) -> None:
        self.used: dict[tuple[str, int, int], int] = {}

    def make(self, birth: dt.date, gender: str, place: Place) -> str:
        odd = 1 if gender == Gender.MALE else 0
        day = birth.toordinal()
        areas = itertools.chain([place], (p for p, _ in ELSEWHERE))
        for candidate in areas:
            area = candidate.code(birth.year)
            key = (area, day, odd)
            taken = self.used.get(key, 0)
            if taken < 500:
                self.used[key] = taken + 1
                start = (day * 37) % 500  # sequences start where a police station's block does
                third = ((start + taken) % 500) * 2 + odd
                body = f"{area}{birth:%Y%m%d}{third:03d}"
                return body + ric.calc_check_digit(body + "0")
        raise RuntimeError("no free ID number sequence left for this birth date")


def credit_code(rng: random.Random, category: str, area: str = COUNTY_AREA) -> str:
    """统一社会信用代码 (GB 32100) with a valid organization code (GB 11714) and check character."""
    head = {GOV: "11", INST: "12", SCHOOL: "12", SOCIAL: "51"}.get(category, "91")
    digits = [rng.randint(0, 9) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org_code = "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))
    body = f"{head}{area}{org_code}"
    return body + uscc.calc_check_digit(body)


# ---- names -----------------------------------------------------------------------------------

# Common surnames with approximate shares (%) of the population (2020 census), then a tail.
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.3),
    ("赵", 2.2), ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.3), ("朱", 1.2),
    ("胡", 1.2), ("郭", 1.1), ("何", 1.1), ("林", 1.0), ("高", 1.0), ("罗", 0.9), ("郑", 0.9),
    ("梁", 0.8), ("谢", 0.7), ("宋", 0.6), ("唐", 0.6), ("许", 0.6), ("韩", 0.6), ("冯", 0.5),
    ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.5), ("肖", 0.5), ("田", 0.5), ("董", 0.5),
    ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4), ("余", 0.4), ("杜", 0.4),
    ("叶", 0.4), ("程", 0.4), ("苏", 0.35), ("魏", 0.35), ("吕", 0.35), ("丁", 0.35),
    ("任", 0.35), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3),
    ("谭", 0.3), ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.25),
    ("贾", 0.25), ("夏", 0.25), ("韦", 0.25), ("付", 0.25), ("方", 0.25), ("白", 0.25),
    ("邹", 0.25), ("孟", 0.25), ("熊", 0.2), ("秦", 0.2), ("邱", 0.2), ("江", 0.2), ("尹", 0.2),
    ("薛", 0.2), ("闫", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2),
    ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("欧阳", 0.05),
    ("司马", 0.02), ("上官", 0.01), ("诸葛", 0.01),
]  # fmt: skip

# Given names by generation (born before 1960, 1960–1984, 1985 on) and sex: whole names, and
# characters to combine into two-character names.
GIVEN: dict[tuple[int, str], tuple[list[str], str, str]] = {
    (0, "M"): (
        _words(
            "建国 国庆 建华 建军 卫国 国强 志强 振华 永胜 德明 福生 树林 长江 宝山 金山 玉山 文明"
        ),
        "建国志振永德福文宝玉树长庆明",
        "国华军强民林山生明成安福才忠",
    ),
    (0, "F"): (
        _words("秀英 桂英 玉兰 淑珍 凤英 秀兰 桂兰 玉珍 秀珍 素芳 淑英 玉梅 凤兰 桂芝 淑兰"),
        "秀桂玉淑凤素翠春金美",
        "英兰珍芳梅芝荣花琴云",
    ),
    (1, "M"): (
        _words("伟 强 军 勇 磊 涛 斌 鹏 辉 刚 海涛 志刚 建伟 晓东 立新 文斌 国栋 海波 振宇"),
        "海志建晓立文国振红卫永小",
        "涛刚伟东新斌栋波宇军峰平",
    ),
    (1, "F"): (
        _words("丽 艳 红 静 敏 燕 霞 芳 娟 丽娟 海燕 红梅 晓燕 丽华 秀梅 春燕 艳红 玉霞"),
        "丽海红晓秀春艳玉美雪",
        "娟燕梅华霞红芳萍丽玲",
    ),
    (2, "M"): (
        _words("浩 宇 鑫 杰 帅 超 博 浩然 子豪 宇航 俊杰 浩宇 子轩 嘉豪 明轩 梓豪 天佑 一鸣 博文"),
        "浩子宇俊嘉明梓天一博志思",
        "然豪航杰宇轩涛鸣文辰阳哲",
    ),
    (2, "F"): (
        _words(
            "婷 雪 琳 颖 欣 悦 佳怡 欣怡 雨欣 思琪 梦瑶 子涵 雨萱 诗涵 梓涵 晓彤 佳琪 雨桐 一诺"
        ),
        "佳欣雨思梦子诗梓晓可一",
        "怡欣琪瑶涵萱彤桐诺馨悦",
    ),
}
UYGHUR = {
    "M": _words("买买提 艾力 阿不都 吐尔逊 艾买提 热合曼 阿布拉 肉孜 库尔班 亚森"),
    "F": _words("阿依古丽 古丽米拉 热依拉 帕提古丽 阿依努尔 迪丽拜尔 努尔古丽 玛依拉"),
}
KAZAKH = {
    "M": ["努尔兰", "叶尔肯", "阿合买提", "别克", "哈那提", "马合沙提", "叶尔兰"],
    "F": ["古丽娜尔", "阿依达娜", "加娜尔", "赛力克", "阿克玛拉"],
}
TIBETAN = {
    "M": ["扎西", "次仁", "多吉", "平措", "顿珠", "旺堆", "索朗", "罗布"],
    "F": ["卓玛", "央金", "拉姆", "次仁", "德吉", "白珍", "曲珍", "格桑"],
}
MONGOL = {
    "M": ["巴特尔", "额尔敦", "苏和", "朝鲁", "巴雅尔", "宝音", "那日苏", "孟和", "毕力格"],
    "F": ["其其格", "乌云", "萨仁", "娜仁", "高娃", "斯琴", "图雅", "托娅", "乌兰"],
}
MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 176 "
    "177 180 181 182 183 185 186 187 188 189 191 198 199"
)


# ---- national distributions (rules.md §9, 2024) ----------------------------------------------

# Age bands of members in years (≥ 61 split finer so that ages beyond 61 look right).
AGE_BANDS: list[tuple[int, int, float]] = [
    (18, 30, 12.2), (31, 35, 10.7), (36, 40, 11.4), (41, 45, 9.7), (46, 50, 9.0),
    (51, 55, 9.4), (56, 60, 8.6), (61, 65, 6.4), (66, 70, 6.4), (71, 75, 6.4), (76, 80, 4.6),
    (81, 85, 3.2), (86, 95, 1.9),
]  # fmt: skip
WORKING_AGE_BANDS = 7  # bands up to 56–60
# Women's share by age (new members are 45% women, older cohorts far fewer): weighted by the
# age bands this gives the national 30.9% (2024).
WOMEN_BY_AGE = [(35, 0.425), (50, 0.34), (60, 0.275), (200, 0.21)]
NEW_MEMBER_WOMEN = 0.45
# Probationary members ≈ one year's intake ≈ 2.2% of members; 82–84% of the intake is ≤ 35 and
# students are 38% of it (81.2 of 213.1万): so the chance of being probationary by age/profile.
PROBATIONARY = {"student": 0.30, "young": 0.040, "older": 0.0045}


@dataclass(frozen=True)
class Profile:
    """What a branch's members are like: its share of all members, the average branch size,
    the least number of such branches in any county, and who its members are."""

    share: float
    size: float
    min_branches: int
    occupations: tuple[tuple[str, float], ...]  # 人员类别 of working-age members
    higher_education: tuple[float, float, float]  # 大专及以上 by age ≤ 40, 41–60, > 60
    bands: str = "working"  # age bands: working, retired, student, remainder (see below)


P = PersonCategory
# Shares are tuned so that the whole membership matches the bulletin (see the module docstring);
# sizes give ≈21.7 members a branch overall.
PROFILES: dict[str, Profile] = {
    "village": Profile(
        0.285, 26, 6, ((P.FARMER, .86), (P.WORKER, .05), (P.OTHER, .07), (P.MANAGER, .02)),
        (0.55, 0.25, 0.08), "remainder",
    ),
    "community": Profile(
        0.12, 28, 3, ((P.WORKER, .12), (P.OTHER, .46), (P.MANAGER, .2), (P.PROFESSIONAL, .22)),
        (0.8, 0.6, 0.30), "remainder",
    ),
    "agency": Profile(
        0.086, 17, 5, ((P.OFFICIAL, .9), (P.PROFESSIONAL, .05), (P.MANAGER, .05)),
        (0.99, 0.94, 0.9), "working",
    ),
    "retired": Profile(0.170, 28, 2, ((P.RETIRED, 1.0),), (0.7, 0.6, 0.42), "retired"),
    "school": Profile(
        0.070, 20, 4, ((P.PROFESSIONAL, .88), (P.MANAGER, .12)), (0.99, 0.95, 0.9), "working"
    ),
    "hospital": Profile(
        0.052, 24, 3, ((P.PROFESSIONAL, .85), (P.MANAGER, .15)), (0.98, 0.9, 0.85), "working"
    ),
    "soe": Profile(
        0.062, 20, 2, ((P.WORKER, .28), (P.MANAGER, .40), (P.PROFESSIONAL, .32)),
        (0.9, 0.7, 0.5), "working",
    ),
    "private": Profile(
        0.110, 12, 2, ((P.WORKER, .24), (P.MANAGER, .42), (P.PROFESSIONAL, .16), (P.OTHER, .18)),
        (0.8, 0.55, 0.4), "working",
    ),
    "social": Profile(
        0.019, 12, 1, ((P.OTHER, .5), (P.PROFESSIONAL, .3), (P.MANAGER, .2)),
        (0.85, 0.7, 0.5), "working",
    ),
    "student": Profile(0.026, 18, 1, ((P.STUDENT, 1.0),), (0.7, 0.7, 0.7), "student"),
}  # fmt: skip
RETIREMENT_AGE = 60
# Profiles whose elderly stay in their branch under their own occupation (rural members keep
# farming; a community's elderly are retirees).
ELDERLY_STAY = {"village": P.FARMER, "community": P.RETIRED}


def _band_weights() -> dict[str, list[float]]:
    """Per-profile weights over AGE_BANDS so that the whole membership has the national ages.

    Working profiles follow the national shape up to 60, students are 18–23, the retired
    branches 56 and over; villages and communities take the remainder, which makes them older
    than average, as they are.
    """
    target = [w for _, _, w in AGE_BANDS]
    total_target = sum(target)
    fixed: dict[str, list[float]] = {
        "working": [w if i < WORKING_AGE_BANDS else 0.0 for i, w in enumerate(target)],
        "retired": [0.0] * (WORKING_AGE_BANDS - 1) + [2.0] + target[WORKING_AGE_BANDS:],
        "student": [1.0] + [0.0] * (len(target) - 1),
    }
    remainder = [w / total_target for w in target]
    for profile in PROFILES.values():
        if profile.bands in fixed:
            weights = fixed[profile.bands]
            mass = sum(weights)
            remainder = [
                r - profile.share * w / mass for r, w in zip(remainder, weights, strict=True)
            ]
    fixed["remainder"] = [max(r, 0.002) for r in remainder]
    return {name: profile_weights for name, profile_weights in fixed.items()}


BAND_WEIGHTS = _band_weights()
# 入党时年龄: most join between 18 and 35 (82–84% of the intake); members over 35 today mostly
# joined young. With this about 31% joined since the 18th Congress (the bulletin's 28% at the end
# of 2024 plus the intake since) and 13% between 1949 and 1978 (12.3%).
JOIN_AGES: list[tuple[int, int, float]] = [(18, 22, 34), (23, 28, 40), (29, 35, 17), (36, 45, 7),
                                            (46, 58, 2)]  # fmt: skip
JOIN_AGES_OVER_35: list[tuple[int, int, float]] = [(18, 22, 40), (23, 28, 42), (29, 35, 13),
                                                    (36, 45, 4), (46, 58, 1)]  # fmt: skip
TRANSFER_IN = {"home": 0.03, "elsewhere": 0.25}
COUNTERPARTS = _words(
    "中共威县委员会组织部 中共临西县委员会组织部 中共南宫市委员会组织部 "
    "中共临清市委员会组织部 中共邢台市信都区委员会组织部 中共石家庄市桥西区委员会组织部 "
    "中共北京市朝阳区委员会组织部 中共天津市和平区委员会组织部 "
    "中共济南市历下区委员会组织部"
)


def _cum(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


# ---- the tree ----------------------------------------------------------------------------------


@dataclass
class OrgRow:
    """One organization to insert; `children` makes the tree."""

    name: str
    kind: str
    unit: tuple[str, str] | None = None  # (name, Unit.Category)
    profile: str = ""  # members' profile; "" holds no members
    weight: float = 1.0  # relative size among the branches of its profile
    place: str = ""  # what members write before their post (张庄村, 清河县第一中学 …)
    founded_from: int = 1949  # earliest year of founding
    founded_span: int = 40  # founded within this many years of founded_from
    children: list[OrgRow] = field(default_factory=list)
    # A 联合党支部's small firms (非公有制企业 without an organization of their own), which its
    # members work in; build_tree creates them and sets firm_ids (same order).
    firms: list[str] = field(default_factory=list)
    firm_ids: list[int] = field(default_factory=list)


def _branch(name: str, unit: tuple[str, str], profile: str, place: str, rng: random.Random,
            *, kind: str = OrgKind.BRANCH, weight: float | None = None,
            founded_from: int = 1949, founded_span: int = 40) -> OrgRow:  # fmt: skip
    return OrgRow(
        name,
        kind,
        unit,
        profile,
        weight if weight is not None else rng.uniform(0.7, 1.3),
        place,
        founded_from,
        founded_span,
    )


def _unit_node(unit: str, category: str, branches: list[OrgRow], *, founded_from: int = 1949,
               committee: bool = False) -> OrgRow:  # fmt: skip
    """A unit's organization: its only branch, a 党总支 over up to 7 branches, else a 党委."""
    if len(branches) == 1 and not committee:
        only = branches[0]
        only.name = f"{unit}党支部"
        return only
    if len(branches) <= 7 and not committee:
        kind, name = OrgKind.GENERAL_BRANCH, f"中共{unit}总支部委员会"
    else:
        kind, name = OrgKind.COMMITTEE, f"中共{unit}委员会"
    return OrgRow(name, kind, (unit, category), founded_from=founded_from, children=branches)


def branch_counts(members: int) -> dict[str, int]:
    """How many branches of each profile a county with this many members has."""
    return {
        name: max(p.min_branches, round(p.share * members / p.size)) for name, p in PROFILES.items()
    }


AGENCIES = _words(
    "县委办公室 县政府办公室 县人大常委会办公室 县政协办公室 县纪委监委机关 县委组织部 "
    "县委宣传部 县委统战部 县委政法委 县发展和改革局 县教育局 县公安局 县民政局 县司法局 "
    "县财政局 县人力资源和社会保障局 县自然资源和规划局 县住房和城乡建设局 县交通运输局 "
    "县水利局 县农业农村局 县商务局 县文化广电和旅游局 县卫生健康局 县应急管理局 县审计局 "
    "县市场监督管理局 县统计局 县医疗保障局 县人民法院 县人民检察院"
)
TOWN_HEADS = _words(
    "河口 柳林 石桥 杨庄 新华 白马 东风 马集 王集 高庄 红旗 长安 永安 太平 兴隆 和平 大营 "
    "小营 李庄 赵庄 油坊 孙店 黄金 谢炉 刘口 三里 八里 沙河 双塔 坊子"
)
VILLAGE_HEADS = "张李王刘陈杨赵黄周吴马孙高郭何胡朱林宋韩冯董田曹"
VILLAGE_TAILS = "庄屯营寨堡集店洼口桥"
COMMUNITIES = _words("东街 西街 南关 北关 新华 建设 人民 解放 文化 幸福 朝阳 滨河")
FIRM_BRANDS = _words("鑫达 宏远 华泰 金源 恒通 永兴 瑞丰 德隆 天成 顺发 佳美 东升 万盛 长城 新宇")
FIRM_TRADES = _words("机械 纺织 汽车配件 建材 食品 物流 电子 化工 服装 印刷 农业科技 商贸")
SOCIAL_ORGS = _words("个体劳动者协会 律师协会 物流行业协会 餐饮行业协会 建筑业协会 慈善总会")
SOES = _words(
    "城市建设投资集团有限公司 供水有限公司 公共交通有限公司 国有资产运营有限公司 粮食储备有限公司"
)
SCHOOLS = ["第二中学", "第三中学", "实验中学", "第二实验小学", "第三实验小学"]
HOSPITALS = ["县人民医院", "县中医院", "县妇幼保健院"]
DEPARTMENTS = ["内科", "外科", "行政后勤", "妇产科", "儿科", "急诊科", "医技", "护理", "门诊"]


def _names(rng: random.Random, heads: Sequence[str], tails: Sequence[str],
           fixed: Sequence[str] = ()) -> Iterator[str]:  # fmt: skip
    """Unique place names: the fixed ones, shuffled combinations, with 东西南北…, then numbered."""
    yield from fixed
    combos = [h + t for h in heads for t in tails if not any(f.startswith(h) for f in fixed)]
    rng.shuffle(combos)
    yield from combos
    more = [p + c for p in "东西南北前后新" for c in combos]
    rng.shuffle(more)
    yield from more
    for n in itertools.count(2):
        for c in combos:
            yield f"{c[:-1]}{cn_number(n)}{c[-1]}"


def plan_county(members: int, rng: random.Random) -> OrgRow:
    """The county's organization tree, sized for `members` members (tree order = path order)."""
    n = branch_counts(members)
    townships = max(3, math.ceil(n["village"] / 24))
    # Retired members' branches sit with the organs, a school, the hospital and an enterprise.
    retired_at = allocate(n["retired"], [3, 2, 1, 1] if n["retired"] > 2 else [1, 1, 0, 0])
    joint = min(townships, max(1, n["private"] // 3))  # townships with a 联合党支部
    root = OrgRow(
        f"中共{COUNTY}委员会",
        OrgKind.COMMITTEE,
        (f"中共{COUNTY}委员会", GOV),
        founded_from=1945,
        founded_span=4,
    )
    root.children = [
        _organs(max(2, n["agency"] - townships), retired_at[0], rng),
        *_townships(townships, n["village"], n["community"], joint, rng),
        _education(n["school"], n["student"], retired_at[1], rng),
        *_hospitals(n["hospital"], retired_at[2], rng),
        *_state_enterprises(n["soe"], retired_at[3], rng),
        _two_new(max(1, n["private"] - joint), n["social"], rng),
        # A temporary branch for a project: its members keep their registration at home.
        OrgRow(
            "县重点项目建设临时党支部",
            OrgKind.TEMPORARY_BRANCH,
            (f"{COUNTY}重点项目建设指挥部", OTHER),
        ),
    ]
    _add_groups(root, members)
    _add_firms(root, members)
    return root


def _organs(branches: int, retired: int, rng: random.Random) -> OrgRow:
    """机关工委: a branch per agency; the big agencies get more (under a 党总支 or 党委)."""
    organs = OrgRow(
        f"中共{COUNTY}直属机关工作委员会",
        OrgKind.WORKING_COMMITTEE,
        (f"{COUNTY}直属机关", GOV),
        founded_from=1950,
        founded_span=10,
    )
    per_agency = allocate(branches, [1.0] * len(AGENCIES)) if branches >= len(AGENCIES) else [
        1 if i < branches else 0 for i in range(len(AGENCIES))
    ]  # fmt: skip
    for agency, count in zip(AGENCIES, per_agency, strict=True):
        if count:
            unit = f"{COUNTY}{agency[1:]}"
            rows = [
                _branch(f"{agency}第{cn_number(i)}党支部", (unit, GOV), "agency", unit, rng)
                for i in range(1, count + 1)
            ]
            organs.children.append(_unit_node(unit, GOV, rows, founded_from=1950))
    organs.children += _retired(retired, "县直机关离退休干部", (f"{COUNTY}直属机关", GOV), rng)
    return organs


def _townships(count: int, villages: int, communities: int, joint: int,
               rng: random.Random) -> list[OrgRow]:  # fmt: skip
    """乡镇党委: a 机关党支部, villages, communities and, in some, a 联合党支部 for small firms.

    The county seat (城关镇) comes first, with fewer villages and most of the communities.
    """
    town_names = _names(rng, TOWN_HEADS, "镇", fixed=[SEAT, "河口镇", "柳林乡"])
    village_names = _names(
        rng, VILLAGE_HEADS, VILLAGE_TAILS, fixed=[SEAT_VILLAGE.removesuffix("村")]
    )
    per_town = allocate(villages, [0.7] + [1.0] * (count - 1))
    seat_first = min(2, communities)
    per_town_c = allocate(
        communities - seat_first, [0.5 * max(1.0, count / 4)] + [1.0] * (count - 1)
    )
    per_town_c[0] += seat_first
    towns = []
    for t in range(count):
        name = next(town_names)
        gov = (f"{COUNTY}{name}人民政府", GOV)
        town = OrgRow(
            f"中共{name}委员会", OrgKind.COMMITTEE, gov, founded_from=1958, founded_span=30
        )
        town.children.append(_branch(f"{name}机关党支部", gov, "agency", f"{name}人民政府", rng))
        for v in range(per_town[t]):
            village = next(village_names) + "村"
            town.children.append(
                _branch(f"{village}党支部", (f"{name}{village}", VILLAGE), "village", village, rng,
                        weight=1.5 if (t, v) == (0, 0) else None, founded_span=30)
            )  # fmt: skip
        for c in range(per_town_c[t]):
            if t == 0 and c < len(COMMUNITIES):
                community = f"{COMMUNITIES[c]}社区"
            else:
                community = f"{name[:-1]}{'第' + cn_number(c + 1) if c else ''}社区"
            town.children.append(
                _branch(f"{community}党支部", (f"{name}{community}", COMMUNITY), "community",
                        community, rng, founded_from=1990, founded_span=30)
            )  # fmt: skip
        if t < joint:  # no unit of its own: its members' firms are listed by _add_firms
            town.children.append(
                OrgRow(f"{name}非公有制企业联合党支部", OrgKind.JOINT_BRANCH, None, "private",
                       rng.uniform(0.7, 1.3), name, 2005, 15)
            )  # fmt: skip
        towns.append(town)
    return towns


def _education(schools: int, students: int, retired: int, rng: random.Random) -> OrgRow:
    """教育工委: 一中 (a 党总支), 实验小学, 职教中心 (teachers and students), more at scale."""
    education = OrgRow(
        f"中共{COUNTY}委教育工作委员会",
        OrgKind.WORKING_COMMITTEE,
        (f"{COUNTY}教育局", GOV),
        founded_from=1985,
        founded_span=20,
    )
    names = ["第一中学", "实验小学", "职业技术教育中心", *SCHOOLS]
    for s, count in enumerate([2, 1, 1, *_chunks(schools - 4, 2)]):
        unit = f"{COUNTY}{names[s] if s < len(names) else f'第{cn_number(s)}小学'}"
        rows = [
            _branch(f"教师第{cn_number(i)}党支部" if count > 1 else "教师党支部", (unit, SCHOOL),
                    "school", unit, rng)
            for i in range(1, count + 1)
        ]  # fmt: skip
        if s == 0:
            rows += _retired(retired, "离退休教师", (unit, SCHOOL), rng)
        if s == 2:
            rows += [
                _branch("学生党支部" if students == 1 else f"学生第{cn_number(i)}党支部",
                        (unit, SCHOOL), "student", unit, rng, founded_from=1990)
                for i in range(1, students + 1)
            ]  # fmt: skip
        education.children.append(_unit_node(unit, SCHOOL, rows, founded_from=1950))
    return education


def _hospitals(branches: int, retired: int, rng: random.Random) -> list[OrgRow]:
    """Hospitals (事业单位): a branch per department; the county hospital has a 党委."""
    nodes = []
    for h, count in enumerate(_chunks(branches, 9)):
        unit = f"{COUNTY}{HOSPITALS[h][1:]}" if h < len(HOSPITALS) else f"{COUNTY}第{h}医院"
        rows = [
            _branch(f"{DEPARTMENTS[d % 9]}{cn_number(d // 9 + 1) if d >= 9 else ''}党支部",
                    (unit, INST), "hospital", unit, rng)
            for d in range(count)
        ]  # fmt: skip
        if h == 0:
            rows += _retired(retired, "离退休", (unit, INST), rng)
        nodes.append(_unit_node(unit, INST, rows, founded_from=1950, committee=h == 0))
    return nodes


def _state_enterprises(branches: int, retired: int, rng: random.Random) -> list[OrgRow]:
    """State-owned enterprises (国有企业): a 党总支 over up to 6 branches each."""
    names = ["机关党支部", "工程项目党支部", *(f"生产第{cn_number(i)}党支部" for i in range(1, 5))]
    nodes = []
    for e, count in enumerate(_chunks(branches, 6)):
        unit = f"{COUNTY}{SOES[e % len(SOES)]}"
        if e >= len(SOES):
            unit = f"{COUNTY}第{cn_number(e + 1)}{SOES[e % len(SOES)]}"
        rows = [_branch(names[i], (unit, SOE), "soe", unit, rng) for i in range(count)]
        if e == 0:
            rows += _retired(retired, "离退休", (unit, SOE), rng)
        nodes.append(
            OrgRow(f"中共{unit}总支部委员会", OrgKind.GENERAL_BRANCH, (unit, SOE),
                   founded_from=1995, founded_span=20, children=rows)
        )  # fmt: skip
    return nodes


def _two_new(firms: int, societies: int, rng: random.Random) -> OrgRow:
    """两新工委: branches of private firms (非公有制企业) and social organizations (社会组织)."""
    node = OrgRow(
        f"中共{COUNTY}委非公有制经济组织和社会组织工作委员会",
        OrgKind.WORKING_COMMITTEE,
        (f"{COUNTY}非公有制经济组织和社会组织", OTHER),
        founded_from=2010,
        founded_span=8,
    )
    firm_names = _names(rng, FIRM_BRANDS, FIRM_TRADES, fixed=["鑫达机械"])
    for _ in range(firms):
        unit = f"{COUNTY}{next(firm_names)}有限公司"
        node.children.append(
            _branch(f"{unit}党支部", (unit, PRIVATE), "private", unit, rng, founded_from=2003,
                    founded_span=20)
        )  # fmt: skip
    for s in range(societies):
        extra = cn_number(s // len(SOCIAL_ORGS) + 1) if s >= len(SOCIAL_ORGS) else ""
        unit = f"{COUNTY}{SOCIAL_ORGS[s % len(SOCIAL_ORGS)]}{extra}"
        node.children.append(
            _branch(f"{unit}党支部", (unit, SOCIAL), "social", unit, rng, founded_from=2005,
                    founded_span=18)
        )  # fmt: skip
    return node


def _retired(count: int, who: str, unit: tuple[str, str], rng: random.Random) -> list[OrgRow]:
    if count == 1:
        return [_branch(f"{who}党支部", unit, "retired", unit[0], rng)]
    return [
        _branch(f"{who}第{cn_number(i)}党支部", unit, "retired", unit[0], rng)
        for i in range(1, count + 1)
    ]


def _chunks(total: int, most: int) -> list[int]:
    """Split `total` branches into units of at most `most` (e.g. 13, 6 → 6, 6, 1)."""
    return [min(most, total - i) for i in range(0, max(total, 0), most)]


def walk(node: OrgRow) -> Iterator[OrgRow]:
    yield node
    for child in node.children:
        yield from walk(child)


def _add_groups(root: OrgRow, members: int) -> None:
    """党小组 under the bigger branches (expected 30+ members), and always in the demo village."""
    expected_members = _expected_members(root, members)
    for row in walk(root):
        if not row.profile:
            continue
        expected = expected_members[id(row)]
        groups = 0 if expected < 30 else 2 if expected < 45 else 3 if expected < 60 else 4
        if row.name == f"{SEAT_VILLAGE}党支部":
            groups = max(groups, 2)
        row.children = [
            OrgRow(f"{row.name}第{cn_number(i)}党小组", OrgKind.GROUP, row.unit)
            for i in range(1, groups + 1)
        ]


SMALL_TRADES = _words(
    "五金加工厂 汽车修理厂 农资经营部 商贸有限公司 家具厂 包装制品厂 物流有限公司 建材经销部 "
    "食品加工厂 电子元件厂 服装加工厂 印刷厂 餐饮有限公司 超市"
)
BIG_FIRM_MEMBERS = 4  # three full members make a firm 具备建立党组织条件, one to spare


def _expected_members(root: OrgRow, members: int) -> dict[int, float]:
    """Expected members of each member-holding row (by id), as MemberStream.counts allocates."""
    holders = [row for row in walk(root) if row.profile]
    mass: dict[str, float] = {}
    for row in holders:
        mass[row.profile] = mass.get(row.profile, 0.0) + row.weight
    return {
        id(row): members * PROFILES[row.profile].share * row.weight / mass[row.profile]
        for row in holders
    }


def _add_firms(root: OrgRow, members: int) -> None:
    """The small firms of each 联合党支部: about one per two expected members (see firm_slots).

    Names come from their own generator seeded by the branch's name, so the rest of the plan
    draws the same numbers as without them.
    """
    expected = _expected_members(root, members)
    for row in walk(root):
        if row.kind != OrgKind.JOINT_BRANCH or not row.profile:
            continue
        rng = random.Random(f"firms:{row.name}")
        combos = [b + t for b in FIRM_BRANDS for t in SMALL_TRADES]
        count = min(len(combos), max(3, round(expected[id(row)] / 2.1)))
        row.firms = [f"{row.place}{name}" for name in rng.sample(combos, count)]


def firm_slots(firm_ids: Sequence[int], count: int) -> list[int]:
    """Which firm each of a joint branch's `count` members works in, in order.

    A quarter of the firms (at least one) get BIG_FIRM_MEMBERS members, enough to be bound to
    set up an organization of their own (党章第三十条); the others one or two, alternately; any
    members left over join the big firms. Firms may stay without members in a small branch.
    """
    if not firm_ids:
        return []
    big = max(1, len(firm_ids) // 4)
    sizes = [0] * len(firm_ids)
    left = count
    for i in range(len(firm_ids)):
        sizes[i] = min(left, BIG_FIRM_MEMBERS if i < big else 2 - (i - big) % 2)
        left -= sizes[i]
    for i in range(left):
        sizes[i % big] += 1
    return [firm for firm, n in zip(firm_ids, sizes, strict=True) for _ in range(n)]


# ---- inserting the tree --------------------------------------------------------------------


def path_step(index: int) -> str:
    """treebeard's path step for the index-th child (1-based), e.g. 1 → 0001, 37 → 0011."""
    digits = ""
    while True:
        index, rem = divmod(index, len(ALPHABET))
        digits = ALPHABET[rem] + digits
        if index == 0:
            break
    if len(digits) > Organization.steplen:
        raise ValueError("too many children for one organization")
    return digits.rjust(Organization.steplen, "0")


def _next_root_step() -> str:
    last = Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
    top = last.first()
    return path_step(int(top, len(ALPHABET)) + 1 if top else 1)


def _next_code(prefix: str) -> int:
    codes = Organization.objects.filter(code__startswith=prefix, code__regex=r"^\d{12}$")
    top = codes.order_by("-code").values_list("code", flat=True).first()
    return int(top[len(prefix) :]) + 1 if top else 1


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_tree(
    root: OrgRow,
    rng: random.Random,
    *,
    today: dt.date,
    actor: Any = None,
    code_prefix: str = COUNTY_AREA,
    batch_size: int = 2000,
) -> list[tuple[Organization, OrgRow]]:
    """Insert the tree in bulk (history rows included): paths, depth and numchild computed here.

    Organization codes are 12 digits: the county's area code and a 6-digit sequence. Founding
    dates follow the parent's; committee terms are 5 years and branch terms 3 (支部工作条例),
    about one organization in eight is past its term and one in ten is due within six months.
    """
    units: dict[tuple[str, str], Unit] = {}
    firms: list[tuple[OrgRow, list[Unit]]] = []  # a joint branch's firms, never shared
    rows: list[tuple[Organization, OrgRow]] = []
    next_code = _next_code(code_prefix)

    def visit(node: OrgRow, path: str, parent_founded: dt.date) -> None:
        first = min(max(node.founded_from, parent_founded.year), today.year - 2)
        last = min(first + node.founded_span, today.year - 2)
        founded = dt.date(rng.randint(first, last), rng.randint(1, 12), 1)
        founded = max(founded, parent_founded)
        if node.kind == OrgKind.TEMPORARY_BRANCH:
            founded = today - dt.timedelta(days=rng.randint(60, 400))
        start = end = None
        if node.kind not in (OrgKind.GROUP, OrgKind.TEMPORARY_BRANCH):
            years = 5 if node.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE) else 3
            due = rng.random()
            if due < 0.12:  # overdue for re-election (换届)
                end = today - dt.timedelta(days=rng.randint(1, 300))
            elif due < 0.22:  # due within six months
                end = today + dt.timedelta(days=rng.randint(1, 180))
            else:
                end = today + dt.timedelta(days=rng.randint(181, years * 365 - 30))
            start = max(_add_years(end, -years), founded)
        org = Organization(
            path=path,
            depth=len(path) // Organization.steplen,
            numchild=len(node.children),
            name=node.name,
            kind=node.kind,
            code=f"{code_prefix}{next_code + len(rows):0{12 - len(code_prefix)}d}",
            founded_on=founded,
            status=Organization.Status.ACTIVE,
            term_start=start,
            term_end=end,
        )
        if node.unit is not None:
            if node.unit not in units:
                name, category = node.unit
                credit = (
                    "" if category in (VILLAGE, COMMUNITY, OTHER) else credit_code(rng, category)
                )
                units[node.unit] = Unit(name=name, category=category, credit_code=credit)
            org.unit = units[node.unit]
        if node.firms:  # credit codes from their own generator: the tree's draws stay as they are
            firms.append((node, [
                Unit(name=name, category=PRIVATE,
                     credit_code=credit_code(random.Random(f"firm:{path}:{name}"), PRIVATE))
                for name in node.firms
            ]))  # fmt: skip
        rows.append((org, node))
        for i, child in enumerate(node.children, start=1):
            visit(child, path + path_step(i), founded)

    visit(root, _next_root_step(), dt.date(1921, 7, 1))
    with transaction.atomic():
        firm_units = [unit for _, created in firms for unit in created]
        bulk_create_with_history(
            [*units.values(), *firm_units], Unit, batch_size=batch_size, default_user=actor
        )
        for node, created in firms:
            node.firm_ids = [unit.pk for unit in created]  # for MemberStream
        for org, node in rows:
            if node.unit is not None:
                org.unit = units[node.unit]  # now with its primary key
        bulk_create_with_history(
            [o for o, _ in rows], Organization, batch_size=batch_size, default_user=actor
        )
    saved = {o.path: o for o in Organization.objects.under(rows[0][0])}
    return [(saved[o.path], node) for o, node in rows]


# ---- members ---------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders)."""
    mass = sum(weights)
    if total <= 0 or mass <= 0:
        return [0] * len(weights)
    shares = [total * w / mass for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class PlannedEvent:
    """A later 党籍变动 to record through the service once the members exist."""

    id_number: str
    kind: str
    effective_date: dt.date
    org: Organization | None = None
    counterpart: str = ""
    note: str = ""


EVENT_KINDS = [
    MemberEvent.Kind.DEATH,
    MemberEvent.Kind.TRANSFER_OUT,
    MemberEvent.Kind.SUSPEND,
    MemberEvent.Kind.MOVE,
]


class MemberStream:
    """`(MemberData, Admission)` rows for the branches of a built tree, one branch after another.

    Iterate it once (e.g. into `bulk_register_members`). Afterwards it knows, by ID number, each
    branch's secretary-to-be, the demo member and the later events to record.
    """

    def __init__(
        self,
        orgs: Sequence[tuple[Organization, OrgRow]],
        total: int,
        rng: random.Random,
        today: dt.date,
        *,
        events: int | None = None,
        rules: RuleLookup = seeded_value,
    ) -> None:
        self.rng = rng
        self.today = today
        self.rules = rules  # the probation of the join date (the seeded rules by default)
        self.holders = [(org, row) for org, row in orgs if row.profile]
        self.total = total
        self.ids = IdNumbers()
        self.secretaries: dict[int, str] = {}  # org pk → ID number
        self.demo_member: str | None = None  # ID number of the member demo login
        self.planned: list[PlannedEvent] = []
        wanted = events if events is not None else min(100, max(6, total // 100))
        self.quota = dict(zip(EVENT_KINDS, allocate(wanted, [3, 3, 2, 2]), strict=True))
        self.event_rate = 2.5 * wanted / max(total, 1)
        self.band_cum = {name: _cum(w) for name, w in BAND_WEIGHTS.items()}
        self.join_cum = _cum(w for _, _, w in JOIN_AGES)
        self.join_cum_over_35 = _cum(w for _, _, w in JOIN_AGES_OVER_35)
        self.surname_cum = _cum(w for _, w in SURNAMES)
        self.minority_cum = _cum(e.weight for e in MINORITIES)
        self.elsewhere_cum = _cum(w for _, w in ELSEWHERE)
        self.by_profile: dict[str, list[Organization]] = {}
        for org, row in self.holders:
            self.by_profile.setdefault(row.profile, []).append(org)

    def counts(self) -> list[int]:
        """Members per holding organization: exact profile shares, then by branch weight."""
        profiles = sorted({row.profile for _, row in self.holders}, key=list(PROFILES).index)
        per_profile = allocate(self.total, [PROFILES[p].share for p in profiles])
        counts: dict[int, int] = {}
        for profile, members in zip(profiles, per_profile, strict=True):
            branches = [(o, r) for o, r in self.holders if r.profile == profile]
            for (org, _), n in zip(
                branches, allocate(members, [r.weight for _, r in branches]), strict=True
            ):
                counts[org.pk] = n
        return [counts[org.pk] for org, _ in self.holders]

    def __iter__(self) -> Iterator[tuple[MemberData, Admission]]:
        for (org, row), count in zip(self.holders, self.counts(), strict=True):
            secretary_wanted = self.rng.random() < 0.9 or row.name == f"{SEAT_VILLAGE}党支部"
            firms = dict(zip(row.firm_ids, row.firms, strict=True)) if row.firm_ids else {}
            slots = firm_slots(row.firm_ids, count)
            for i in range(count):
                data, admission, age = self.member(org, row)
                if slots:  # a joint branch: the firm instead of the branch's unit
                    data.work_unit_id = slots[i]
                    data.work_unit_post = self._post(row, data.person_category, firms[slots[i]])
                if secretary_wanted and self._may_lead(admission, age, row.profile):
                    secretary_wanted = False
                    self.secretaries[org.pk] = data.id_number
                    data.work_unit_post = self._secretary_post(row)
                elif (
                    self.demo_member is None
                    and row.name == f"{SEAT_VILLAGE}党支部"
                    and admission.full_date is not None
                    and 25 <= age <= 55
                ):
                    self.demo_member = data.id_number
                else:
                    self._maybe_plan_event(data, admission, age, org, row)
                yield data, admission

    # -- one person --

    def member(self, org: Organization, row: OrgRow) -> tuple[MemberData, Admission, int]:
        rng, today, profile = self.rng, self.today, PROFILES[row.profile]
        lo, hi, _ = AGE_BANDS[_draw(rng, self.band_cum[profile.bands])]
        if profile.bands == "student":
            lo, hi = 18, 23
        elif profile.bands == "working" and lo == 18:
            lo = 21
        birth = today - dt.timedelta(days=rng.randint(lo * 366, (hi + 1) * 365 - 1))
        age = _age(birth, today)
        probationary = age < 19 or rng.random() < _probationary_chance(row.profile, age)
        women = NEW_MEMBER_WOMEN if probationary else _lookup(WOMEN_BY_AGE, age)
        gender = Gender.FEMALE if rng.random() < women else Gender.MALE
        ethnicity, place = self._origin(birth)
        join, full = self._dates(birth, age, probationary)
        transferred = None
        if (
            full is not None
            and rng.random() < TRANSFER_IN["home" if place is HOME else "elsewhere"]
        ):
            earliest = full + dt.timedelta(days=30)
            span = (today - earliest).days - 1
            if span > 0:
                transferred = earliest + dt.timedelta(days=rng.randint(0, span))
        occupation = self._occupation(row.profile, age)
        data = MemberData(
            name=self._name(gender, ethnicity, birth.year),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=birth,
            id_number=self.ids.make(birth, gender, place),
            education=self._education(profile, row.profile, age),
            person_category=occupation,
            native_place=place.name,
            work_unit_post=self._post(row, occupation),
            # 工作单位: the branch's unit (a village's, a community's, a retirees' former unit)
            work_unit_id=org.unit_id,
            phone=""
            if age > 75 and rng.random() < 0.3
            else rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        )
        admission = Admission(
            org=org,
            join_date=join,
            full_date=full,
            transferred_in_on=transferred,
            counterpart=rng.choice(COUNTERPARTS) if transferred else "",
        )
        return data, admission, age

    def _origin(self, birth: dt.date) -> tuple[str, Place]:
        rng = self.rng
        if rng.random() < MINORITY_SHARE:
            who = MINORITIES[_draw(rng, self.minority_cum)]
            return who.code, HOME if rng.random() < who.local_share else who.place
        if rng.random() < HOME_SHARE:
            return HAN, HOME
        return HAN, ELSEWHERE[_draw(rng, self.elsewhere_cum)][0]

    def _dates(
        self, birth: dt.date, age: int, probationary: bool
    ) -> tuple[dt.date, dt.date | None]:
        """入党日期 and 转正日期 (one year later), joining at 18 or older."""
        rng, today = self.rng, self.today
        eighteen = _add_years(birth, 18)
        if probationary:
            join = max(today - dt.timedelta(days=rng.randint(7, 350)), eighteen)
            return min(join, today), None
        latest = _add_years(today, -1) - dt.timedelta(days=1)  # converted by yesterday
        if age > 35:
            lo, hi, _ = JOIN_AGES_OVER_35[_draw(rng, self.join_cum_over_35)]
        else:
            lo, hi, _ = JOIN_AGES[_draw(rng, self.join_cum)]
        join = birth + dt.timedelta(days=rng.randint(lo * 366, (hi + 1) * 365 - 1))
        if join > latest:  # too young to have joined at that age: any time since turning 18
            join = eighteen + dt.timedelta(days=rng.randint(0, max(0, (latest - eighteen).days)))
        join = max(join, eighteen)
        # one year on, as the 党章 of the join date says (none in 1969–1977: full from the join)
        return join, join + relativedelta(months=int(self.rules(PROBATION_MONTHS, join)))

    def _occupation(self, profile: str, age: int) -> str:
        if age > RETIREMENT_AGE and profile in ELDERLY_STAY:
            return ELDERLY_STAY[profile]
        options = PROFILES[profile].occupations
        r = self.rng.random()
        for occupation, share in options:
            r -= share
            if r < 0:
                return occupation
        return options[-1][0]

    def _education(self, profile: Profile, name: str, age: int) -> str:
        rng = self.rng
        young, middle, old = profile.higher_education
        if rng.random() < (young if age <= 40 else middle if age <= 60 else old):
            if name in ("agency", "school", "hospital"):
                return rng.choices(("pg", "ba", "co"), cum_weights=(12, 80, 100))[0]
            return rng.choices(("pg", "ba", "co"), cum_weights=(3, 48, 100))[0]
        if name in ("village", "retired") or age > 60:
            return rng.choices(("sv", "hs", "js"), cum_weights=(12, 40, 100))[0]
        return rng.choices(("sv", "hs", "js"), cum_weights=(35, 75, 100))[0]

    def _name(self, gender: str, ethnicity: str, born: int) -> str:
        rng = self.rng
        naming = next((e.naming for e in MINORITIES if e.code == ethnicity), "han")
        if naming in ("uyghur", "kazakh"):  # given name · father's name
            pool = UYGHUR if naming == "uyghur" else KAZAKH
            return f"{rng.choice(pool[gender])}·{rng.choice(pool['M'])}"
        if naming == "tibetan":  # two names, no surname: 扎西多吉, 次仁卓玛
            first = rng.choice(TIBETAN["M"] if gender == Gender.MALE else TIBETAN["F"][-4:])
            return first + rng.choice([n for n in TIBETAN[gender] if n != first])
        if naming == "mongol" and rng.random() < 0.7:
            return rng.choice(MONGOL[gender])
        surname = SURNAMES[_draw(rng, self.surname_cum)][0]
        whole, first, second = GIVEN[(0 if born < 1960 else 1 if born < 1985 else 2, gender)]
        given = rng.choice(whole) if rng.random() < 0.35 else rng.choice(first) + rng.choice(second)
        return surname + given

    def _post(self, row: OrgRow, occupation: str, place: str = "") -> str:
        """工作单位及职务, e.g. 张庄村村民, 清河县第一中学教师, 清河县公安局科员."""
        place = place or row.place
        if row.profile == "community" and occupation in (P.RETIRED, P.OTHER):
            return f"{place}居民"
        if occupation == P.OFFICIAL:
            job = self.rng.choice(("科员", "一级科员", "副主任科员", "四级主任科员", "副科长"))
        elif occupation == P.PROFESSIONAL:
            job = {"school": "教师", "hospital": "医师"}.get(row.profile, "技术员")
        elif occupation == P.MANAGER:
            job = "部门经理" if row.profile in ("soe", "private") else "管理人员"
        else:
            job = {
                P.FARMER: "村民",
                P.WORKER: "职工",
                P.STUDENT: "学生",
                P.RETIRED: "退休人员",
                P.OTHER: "个体经营者",
            }.get(PersonCategory(occupation), "")
        return f"{place}{job}"

    def _secretary_post(self, row: OrgRow) -> str:
        if row.profile == "village":
            return f"{row.place}党支部书记、村民委员会主任"
        if row.profile == "community":
            return f"{row.place}党支部书记、居民委员会主任"
        return f"{row.place}{row.name.removeprefix(row.place)}书记"

    @staticmethod
    def _may_lead(admission: Admission, age: int, profile: str) -> bool:
        if admission.full_date is None or admission.transferred_in_on is not None:
            return False
        return age <= 78 if profile == "retired" else 28 <= age <= RETIREMENT_AGE

    def _maybe_plan_event(
        self, data: MemberData, admission: Admission, age: int, org: Organization, row: OrgRow
    ) -> None:
        """Now and then, plan a later event: 去世, 转出, 停止党籍 or a move to another branch."""
        rng, today = self.rng, self.today
        if admission.full_date is None or rng.random() >= self.event_rate:
            return
        after = max(admission.full_date, admission.transferred_in_on or admission.full_date)
        kinds = [k for k, left in self.quota.items() if left > 0]
        if age < 70:
            kinds = [k for k in kinds if k != MemberEvent.Kind.DEATH]
        targets = [o for o in self.by_profile[row.profile] if o.pk != org.pk]
        if not targets:
            kinds = [k for k in kinds if k != MemberEvent.Kind.MOVE]
        if not kinds:
            return
        kind = max(kinds, key=lambda k: self.quota[k])
        span = {MemberEvent.Kind.SUSPEND: 500}.get(kind, 900)
        when = today - dt.timedelta(days=rng.randint(3, span))
        if when <= after:
            return
        event = PlannedEvent(data.id_number, kind, when, note="演示数据")
        if kind == MemberEvent.Kind.TRANSFER_OUT:
            event.counterpart = rng.choice(COUNTERPARTS)
            event.note = "工作调动，组织关系转出"
        elif kind == MemberEvent.Kind.SUSPEND:
            event.note = "与党组织失去联系超过六个月，经多方查找仍无音讯，停止党籍"
        elif kind == MemberEvent.Kind.MOVE:
            event.org = rng.choice(targets)
            event.note = "本县内调整组织关系"
        self.quota[kind] -= 1
        self.planned.append(event)


def _probationary_chance(profile: str, age: int) -> float:
    if profile == "retired":
        return 0.0
    if profile == "student":
        return PROBATIONARY["student"]
    return PROBATIONARY["young"] if age <= 35 else PROBATIONARY["older"]


def _draw(rng: random.Random, cum: list[float]) -> int:
    """Index drawn with the weights whose running totals are `cum`."""
    return bisect.bisect(cum, rng.random() * cum[-1])


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _lookup(table: Sequence[tuple[int, float]], age: int) -> float:
    for upto, value in table:
        if age <= upto:
            return value
    return table[-1][1]
