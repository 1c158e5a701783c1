"""Synthetic county (演示数据): an organization tree and members with realistic distributions.

Streams rows and inserts in bulk (tree paths computed here, members through
`bulk_register_members`), so the same code loads a few hundred members for the demo or millions
for the statistics benchmarks. Distributions follow the 2024 national statistics bulletin
(shared/domain/rules.md §9). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from dangjian.members.choices import Gender, PersonCategory
from dangjian.members.services import Admission, MemberData, bulk_register_members
from dangjian.orgs.models import Organization, OrgKind, Unit

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COUNTY_AREA = "130534"  # 河北省清河县
OTHER_AREAS = ["130500", "130502", "130521", "370100", "410100", "130100", "320100"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文海东"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰萍红燕琳雪梅洁颖倩婷慧莉晶欣悦璐佳丹蕾琴云"
UYGHUR_GIVEN = ["阿依古丽", "买买提", "古丽米拉", "艾力", "热依拉", "阿不都"]
UYGHUR_FAMILY = ["买买提", "吐尔逊", "艾买提", "阿布拉", "热合曼"]
# National shares of members (2024): women 30.9%, minorities 7.7%.
WOMEN_SHARE = 0.309
MINORITY_SHARE = 0.077
MINORITIES = {"03": 30, "11": 20, "08": 15, "02": 8, "05": 8, "16": 6, "06": 6, "15": 7}
AGE_BANDS = [  # (min, max, share) from the age distribution of members, 2024
    (19, 30, 12.2), (31, 35, 10.7), (36, 40, 11.4), (41, 45, 9.7), (46, 50, 9.0),
    (51, 55, 9.4), (56, 60, 8.6), (61, 92, 28.9),
]  # fmt: skip
DEMO_PASSWORD = "Demo@2026"


@dataclass
class OrgRow:
    """One organization to insert; `children` makes the tree."""

    name: str
    kind: str
    unit: tuple[str, str] | None = None  # (name, category)
    weight: float = 0.0  # relative share of members (0: none directly)
    profile: str = "mixed"  # village, community, agency, school, hospital, enterprise, retired
    children: list[OrgRow] = field(default_factory=list)


AGENCIES = ["县委办公室", "县政府办公室", "县委组织部", "县教育局", "县卫生健康局", "县财政局"]
TOWNS = ["城关镇", "河口镇", "柳林乡", "石桥镇", "王官庄镇", "葛仙庄镇", "连庄镇", "坝营乡"]
VILLAGE_HEADS = "东西南北前后上下大小张李王刘陈杨马高"
SEAT_COMMUNITIES = ["东街社区", "西街社区", "南关社区"]  # the county seat's communities


def branch(
    name: str, unit: tuple[str, str], weight: float, profile: str, kind: str = OrgKind.BRANCH
) -> OrgRow:
    return OrgRow(name, kind, unit, weight, profile)


def township(t: int, rng: random.Random) -> OrgRow:
    name = TOWNS[t] if t < len(TOWNS) else f"第{t + 1}镇"
    town = OrgRow(f"中共{name}委员会", OrgKind.COMMITTEE, (f"清河县{name}", "gov"))
    town.children.append(branch(f"{name}机关党支部", (f"{name}人民政府", "gov"), 0.8, "agency"))
    for v in range(rng.randint(4, 7)):
        village = f"{VILLAGE_HEADS[(t * 7 + v) % len(VILLAGE_HEADS)]}{'庄堡营屯寨'[v % 5]}村"
        node = branch(
            f"{village}党支部", (f"{name}{village}", "village"), rng.uniform(0.8, 1.6), "village"
        )
        if node.weight > 1.4:  # a big village branch divides into 党小组
            node.children = [OrgRow(f"{village}第{n}党小组", OrgKind.GROUP) for n in "一二"]
        town.children.append(node)
    for community in SEAT_COMMUNITIES if t == 0 else [f"{name[:-1]}中心社区"]:
        town.children.append(
            branch(
                f"{community}党支部",
                (f"{name}{community}", "community"),
                rng.uniform(1.0, 1.5),
                "community",
            )
        )
    if t == 0:
        town.children.append(
            branch(
                "城关镇非公有制企业联合党支部",
                ("城关镇个体私营企业", "private"),
                0.5,
                "enterprise",
                OrgKind.JOINT_BRANCH,
            )
        )
    return town


def county_tree(rng: random.Random, members: int) -> OrgRow:
    """A county: agencies, townships with villages and communities, a school, a hospital,
    enterprises, a social organization and a temporary branch. Sized for ~22 members a branch
    (national average 21.7), adding townships for larger member counts."""
    townships = max(4, math.ceil((max(30, members // 22) - 22) / 8))
    root = OrgRow("中共清河县委员会", OrgKind.COMMITTEE, ("中共清河县委", "gov"))
    organs = OrgRow(
        "中共清河县直属机关工作委员会", OrgKind.WORKING_COMMITTEE, ("清河县直属机关", "gov")
    )
    organs.children = [
        branch(f"{d}党支部", (f"清河{d[1:]}", "gov"), 1.0, "agency") for d in AGENCIES
    ]
    school_unit, hospital_unit = ("清河县第一中学", "school"), ("清河县人民医院", "inst")
    school = OrgRow("中共清河县第一中学总支部委员会", OrgKind.GENERAL_BRANCH, school_unit)
    school.children = [
        branch("教师第一党支部", school_unit, 0.9, "school"),
        branch("教师第二党支部", school_unit, 0.9, "school"),
        branch("离退休教师党支部", school_unit, 0.6, "retired"),
    ]
    hospital = OrgRow("中共清河县人民医院委员会", OrgKind.COMMITTEE, hospital_unit)
    hospital.children = [
        branch(f"{d}党支部", hospital_unit, 0.9, "hospital") for d in ("内科", "外科", "行政后勤")
    ]
    energy_unit = ("清河能源集团有限公司", "soe")
    energy = OrgRow("中共清河能源集团有限公司委员会", OrgKind.COMMITTEE, energy_unit)
    energy.children = [
        branch("机关党支部", energy_unit, 0.8, "agency"),
        branch("生产一线党支部", energy_unit, 1.2, "enterprise"),
    ]
    root.children = [
        organs,
        *(township(t, rng) for t in range(townships)),
        school,
        hospital,
        energy,
        branch(
            "清河县鑫达机械有限公司党支部", ("清河县鑫达机械有限公司", "private"), 0.6, "enterprise"
        ),
        branch("清河县个体劳动者协会党支部", ("清河县个体劳动者协会", "social"), 0.4, "mixed"),
        branch(
            "县重点项目建设临时党支部",
            ("县重点项目指挥部", "other"),
            0.2,
            "mixed",
            OrgKind.TEMPORARY_BRANCH,
        ),
    ]
    return root


def _years_later(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)


def _step(index: int) -> str:
    digits = ""
    while True:
        index, rem = divmod(index, len(ALPHABET))
        digits = ALPHABET[rem] + digits
        if index == 0:
            return digits.rjust(Organization.steplen, "0")


def build_tree(
    root: OrgRow, rng: random.Random, code_prefix: str = "1305340"
) -> list[tuple[Organization, OrgRow]]:
    """Organizations with treebeard paths computed here, saved in bulk (history included)."""
    units: dict[tuple[str, str], Unit] = {}
    rows: list[tuple[Organization, OrgRow]] = []
    next_root = Organization.objects.filter(depth=1).count() + 1
    today = dt.date.today()

    def visit(node: OrgRow, path: str) -> None:
        founded = dt.date(rng.randint(1950, 2015), rng.randint(1, 12), 1)
        term_years = 5 if node.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE) else 3
        start = dt.date(today.year - rng.randint(0, term_years), rng.choice([3, 6, 9, 12]), 1)
        org = Organization(
            path=path,
            depth=len(path) // Organization.steplen,
            numchild=len(node.children),
            name=node.name,
            kind=node.kind,
            code=f"{code_prefix}{len(rows) + 1:05d}",
            founded_on=founded,
            status=Organization.Status.ACTIVE,
            term_start=None if node.kind == OrgKind.GROUP else start,
            term_end=None if node.kind == OrgKind.GROUP else _years_later(start, term_years),
        )
        if node.unit is not None:
            if node.unit not in units:
                units[node.unit] = Unit(name=node.unit[0], category=node.unit[1])
            org.unit = units[node.unit]
        rows.append((org, node))
        for i, child in enumerate(node.children, start=1):
            visit(child, path + _step(i))

    visit(root, _step(next_root))
    with transaction.atomic():
        bulk_create_with_history(list(units.values()), Unit)
        for org, _ in rows:
            org.unit_id = org.unit.pk if org.unit is not None else None
        bulk_create_with_history([o for o, _ in rows], Organization, batch_size=2000)
    saved = {o.path: o for o in Organization.objects.under(rows[0][0])}
    return [(saved[o.path], node) for o, node in rows]


class People:
    """Draws plausible people for a branch profile."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.sequence: dict[tuple[str, dt.date], int] = {}
        self.band_weights = [b[2] for b in AGE_BANDS]

    def name(self, gender: str, ethnicity: str) -> str:
        if ethnicity == "05":  # 维吾尔族: given name · father's name
            return f"{self.rng.choice(UYGHUR_GIVEN)}·{self.rng.choice(UYGHUR_FAMILY)}"
        pool = GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice([1, 2, 2])))
        return self.rng.choice(SURNAMES) + given

    def id_number(self, birth: dt.date, gender: str) -> str:
        area = COUNTY_AREA if self.rng.random() < 0.85 else self.rng.choice(OTHER_AREAS)
        key = (area, birth)
        seq = self.sequence.get(key, 0)
        self.sequence[key] = seq + 1
        third = (seq * 2 + (1 if gender == Gender.MALE else 0)) % 1000
        body = f"{area}{birth:%Y%m%d}{third:03d}"
        return body + ric.calc_check_digit(body + "0")

    def birth(self, profile: str) -> dt.date:
        if profile == "retired":
            age = self.rng.randint(61, 90)
        else:
            low, high, _ = self.rng.choices(AGE_BANDS, weights=self.band_weights)[0]
            if profile in ("agency", "school", "hospital", "enterprise"):
                high = min(high, 60)
                low = min(max(low, 23), high)
            age = self.rng.randint(low, high)
        return self.today - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))

    def education(self, age: int, profile: str) -> str:
        if profile in ("agency", "school", "hospital"):
            return self.rng.choices(["pg", "ba", "co"], weights=[15, 60, 25])[0]
        # Younger members are better educated: 大专及以上 57.6% overall (2024).
        higher = 0.9 if age < 35 else 0.7 if age < 50 else 0.45 if age < 65 else 0.25
        if profile == "village":
            higher -= 0.25
        if self.rng.random() < higher:
            return self.rng.choices(["pg", "ba", "co"], weights=[6, 48, 46])[0]
        return self.rng.choices(["sv", "hs", "js"], weights=[20, 30, 50])[0]

    def category(self, age: int, profile: str) -> str:
        if age >= 62 or profile == "retired":
            return PersonCategory.RETIRED if profile != "village" else PersonCategory.FARMER
        return {
            "village": PersonCategory.FARMER,
            "agency": PersonCategory.OFFICIAL,
            "school": PersonCategory.PROFESSIONAL,
            "hospital": PersonCategory.PROFESSIONAL,
        }.get(profile) or self.rng.choices(
            [
                PersonCategory.WORKER,
                PersonCategory.MANAGER,
                PersonCategory.PROFESSIONAL,
                PersonCategory.OTHER,
                PersonCategory.STUDENT,
            ],
            weights=[35, 25, 20, 15, 5],
        )[0]

    def dates(self, birth: dt.date) -> tuple[dt.date, dt.date | None]:
        """入党日期 and 转正日期: most join between 18 and 35; ~2.5% still probationary."""
        eighteen = _years_later(birth, 18)
        if self.rng.random() < 0.025 and eighteen < self.today - dt.timedelta(days=30):
            join = self.today - dt.timedelta(days=self.rng.randint(20, 330))
            return max(join, eighteen), None
        latest = self.today - dt.timedelta(days=400)  # full members joined over a year ago
        if eighteen > latest:  # turned 18 within the year: still probationary
            return eighteen, None
        age_at_join = min(self.rng.triangular(18, 50, 26), 60)
        join = max(birth + dt.timedelta(days=int(age_at_join * 365.25)), eighteen)
        if join > latest:  # too young for that age at joining: any day since turning 18
            span = max(0, (latest - eighteen).days)
            join = eighteen + dt.timedelta(days=self.rng.randint(0, span))
        return join, _years_later(join, 1)

    def member(self, org: Organization, node: OrgRow) -> tuple[MemberData, Admission]:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < WOMEN_SHARE else Gender.MALE
        ethnicity = (
            "01"
            if rng.random() > MINORITY_SHARE
            else rng.choices(list(MINORITIES), weights=list(MINORITIES.values()))[0]
        )
        birth = self.birth(node.profile)
        age = (self.today - birth).days // 365
        join, full = self.dates(birth)
        transferred = None
        if full is not None and rng.random() < 0.06:
            transferred = min(
                full + dt.timedelta(days=rng.randint(30, 3000)), self.today - dt.timedelta(days=1)
            )
        unit = node.unit[0] if node.unit else ""
        post = rng.choice(["职工", "干部", "科员", "教师", "医生", "村民", "居民"])
        data = MemberData(
            name=self.name(gender, ethnicity),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=birth,
            id_number=self.id_number(birth, gender),
            education=self.education(age, node.profile),
            person_category=self.category(age, node.profile),
            native_place="河北清河"
            if rng.random() < 0.8
            else rng.choice(["河北邢台", "山东临清", "河北石家庄", "河南安阳"]),
            work_unit_post=f"{unit}{post}" if unit else post,
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        )
        return data, Admission(
            org=org,
            join_date=join,
            full_date=full,
            transferred_in_on=transferred,
            counterpart="外县党组织" if transferred else "",
        )


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` members over organizations in proportion to their weights, exactly."""
    mass = sum(weights)
    shares = [total * w / mass for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return counts


def member_rows(
    orgs: list[tuple[Organization, OrgRow]], total: int, rng: random.Random, today: dt.date
) -> Iterator[tuple[MemberData, Admission]]:
    holders = [(o, n) for o, n in orgs if n.weight > 0]
    people = People(rng, today)
    for (org, node), count in zip(
        holders, allocate(total, [n.weight for _, n in holders]), strict=True
    ):
        for _ in range(count):
            yield people.member(org, node)


def generate(members: int, seed: int = 2026, today: dt.date | None = None) -> Organization:
    """Load a county with `members` members; returns the county's root organization."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    orgs = build_tree(county_tree(rng, members), rng)
    bulk_register_members(member_rows(orgs, members, rng, today), validate=False)
    return orgs[0][0]
