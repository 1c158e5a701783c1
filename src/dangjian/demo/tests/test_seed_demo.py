import datetime as dt
import io
import random
from collections import Counter
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from stdnum.cn import ric

from dangjian.accounts.models import Role, RoleGrant
from dangjian.accounts.scope import scope_for
from dangjian.core.models import ProcedureStep
from dangjian.core.rules_seed import seeded_value
from dangjian.demo.generator import (
    DEMO_PASSWORD,
    MemberStream,
    allocate,
    cn_number,
    firm_slots,
    path_step,
    plan_county,
)
from dangjian.demo.services import clear_demo_data, load_demo
from dangjian.members.choices import HIGHER_EDUCATION, Gender, MemberStatus
from dangjian.members.history import PROBATION_MONTHS
from dangjian.members.idnumber import validate_id_number
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind, Unit
from dangjian.stats.coverage import unit_coverage

TODAY = dt.date(2026, 11, 1)


def generated() -> Any:
    """The generator's members: the demo's 发展党员 files add one 预备党员 through the procedure
    (`recruitment.demo`), who is no part of the `members` asked for."""
    return Member.objects.filter(recruitment__isnull=True)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@pytest.mark.django_db
def test_demo_county_is_a_valid_tree_of_valid_members():
    today = timezone.localdate()
    county = load_demo(members=300, seed=7, validate=True)  # the registry's own row checks
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    orgs = list(Organization.objects.all())
    assert len(orgs) == county.organizations and orgs[0].pk == county.root.pk
    codes = [o.code for o in orgs]
    assert all(len(c) == 12 and c.isdigit() for c in codes) and len(set(codes)) == len(codes)
    assert {
        OrgKind.COMMITTEE,
        OrgKind.WORKING_COMMITTEE,
        OrgKind.GENERAL_BRANCH,
        OrgKind.BRANCH,
        OrgKind.JOINT_BRANCH,
        OrgKind.TEMPORARY_BRANCH,
        OrgKind.GROUP,
    } <= {o.kind for o in orgs}
    assert set(Unit.Category.values) <= set(Unit.objects.values_list("category", flat=True))
    assert any(o.term_end and o.term_end < today for o in orgs), "some are due for re-election"
    assert sum(o.secretary_id is not None for o in orgs if o.kind in BRANCH_KINDS) >= 20

    members = list(generated().select_related("org", "group"))
    assert len(members) == 300
    assert Member.objects.filter(recruitment__isnull=False).count() == 1
    for m in members:
        number = m.reveal_id_number()
        assert ric.validate(number) == number  # checksum, birth date and area code
        assert ric.get_birth_date(number) == m.birth_date
        assert (int(number[16]) % 2 == 1) == (m.gender == Gender.MALE)
        validate_id_number(number, birth_date=m.birth_date, gender=m.gender)
        assert m.org.kind in BRANCH_KINDS and m.org.is_active and m.org_path == m.org.path
        assert m.group is None or m.group.path[: -Organization.steplen] == m.org.path
        assert m.group is None or m.status == MemberStatus.ACTIVE
        assert m.join_date >= _years_later(m.birth_date, 18)
        if m.full_date is None:
            assert m.category == "prob" and (today - m.join_date).days < 366
        else:
            # one year on, or none for a join under the 九大、十大党章 (1969–1977)
            probation = relativedelta(months=int(seeded_value(PROBATION_MONTHS, m.join_date)))
            assert m.category == "full" and m.full_date == m.join_date + probation
        assert m.phone == "" or (len(m.phone) == 11 and m.phone.startswith("1"))
    women = sum(m.gender == Gender.FEMALE for m in members) / len(members)
    assert 0.22 < women < 0.40
    assert any("·" in m.name for m in members) or any(m.ethnicity != "01" for m in members)

    statuses = Counter(m.status for m in members)
    assert statuses[MemberStatus.DECEASED] and statuses[MemberStatus.TRANSFERRED_OUT]
    assert statuses[MemberStatus.SUSPENDED]
    kinds = Counter(MemberEvent.objects.values_list("kind", flat=True))
    assert kinds[MemberEvent.Kind.TRANSFER_IN] > 0 and kinds[MemberEvent.Kind.MOVE] > 0


@pytest.mark.django_db
def test_members_work_in_their_branchs_unit_or_in_a_joint_branchs_small_firms():
    county = load_demo(members=300, seed=7)
    members = list(generated().select_related("org", "work_unit"))
    moved = set(MemberEvent.objects.filter(kind="move").values_list("member", flat=True))
    assert all(m.work_unit is not None for m in members)
    in_joint = [m for m in members if m.org.kind == OrgKind.JOINT_BRANCH]
    assert in_joint and all(m.org.unit is None for m in in_joint)
    for m in members:
        if m.org.kind != OrgKind.JOINT_BRANCH and m.pk not in moved:
            assert m.work_unit == m.org.unit, (m.org.name, m.work_unit.name)
    firms = {m.work_unit for m in in_joint}
    assert len(firms) >= 4 and {f.category for f in firms} == {Unit.Category.PRIVATE_ENTERPRISE}
    assert not Organization.objects.filter(unit__in=firms).exists()
    full = Counter(m.work_unit_id for m in in_joint if m.category == "full")
    assert sum(n >= 3 for n in full.values()) >= 1  # bound to set up an organization
    assert sum(n <= 2 for n in full.values()) > len(full) / 2  # most are too small
    rows = {r.label: r for r in unit_coverage(county.root, timezone.localdate())}
    assert rows["非公有制企业"].joint >= 1 and rows["合计"].rate < 100
    assert rows["村"].units == rows["村"].own == Unit.objects.filter(category="village").count()


def test_joint_branch_members_fill_a_few_big_firms_and_many_small_ones():
    assert firm_slots([], 5) == []
    assert Counter(firm_slots([1, 2, 3, 4, 5], 11)) == {1: 5, 2: 2, 3: 1, 4: 2, 5: 1}
    assert Counter(firm_slots([1, 2, 3, 4, 5, 6, 7, 8], 9)) == {1: 4, 2: 4, 3: 1}
    assert len(firm_slots([1, 2, 3], 40)) == 40


def _fake_tree(members: int, seed: int) -> list[tuple[Organization, object]]:
    """The planned tree as unsaved organizations: enough for the pure row stream."""
    rows = []

    def walk(row):
        rows.append(row)
        for child in row.children:
            walk(child)

    walk(plan_county(members, random.Random(seed)))
    orgs = []
    for pk, row in enumerate(rows, start=1):
        org = Organization(name=row.name, kind=row.kind)
        org.pk = pk
        orgs.append((org, row))
    return orgs


def test_rows_follow_the_national_statistics():
    """rules.md §9 (2024): shares within a few points on 20,000 generated members."""
    stream = MemberStream(_fake_tree(20_000, 3), 20_000, random.Random(3), TODAY)
    rows = list(stream)
    n = len(rows)

    def share(test) -> float:
        return 100 * sum(1 for d, a in rows if test(d, a)) / n

    def age(d) -> int:
        born = d.birth_date
        return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))

    assert 29.4 < share(lambda d, a: d.gender == Gender.FEMALE) < 32.4  # 30.9
    assert 6.7 < share(lambda d, a: d.ethnicity != "01") < 8.7  # 7.7
    assert 55 < share(lambda d, a: d.education in HIGHER_EDUCATION) < 60  # 57.6
    assert 10.7 < share(lambda d, a: age(d) <= 30) < 13.7  # 12.2
    assert 26.9 < share(lambda d, a: age(d) >= 61) < 30.9  # 28.9
    occupations = Counter(d.person_category for d, _ in rows)
    for code, expected in [
        ("farmer", 26.1),
        ("retired", 21.4),
        ("prof", 16.3),
        ("manager", 11.5),
        ("official", 7.6),
        ("worker", 6.6),
        ("other", 7.8),
        ("student", 2.6),
    ]:
        assert abs(100 * occupations[code] / n - expected) < 2.5, code
    joined_1949_78 = share(lambda d, a: dt.date(1949, 10, 1) <= a.join_date < dt.date(1978, 12, 18))
    assert 10 < joined_1949_78 < 15  # 12.3
    since_2012 = share(lambda d, a: a.join_date >= dt.date(2012, 11, 8))
    assert 26 < since_2012 < 34  # 28.0 at the end of 2024, plus the intake since
    assert 1.5 < share(lambda d, a: a.full_date is None) < 3.0  # ≈ one year's intake
    assert 0 < share(lambda d, a: a.transferred_in_on is not None) < 12
    per_branch = Counter(a.org.pk for _, a in rows)
    assert 19 < n / len(per_branch) < 24  # 21.7 nationally
    assert min(per_branch.values()) >= 5 and max(per_branch.values()) <= 45
    assert len({d.id_number for d, _ in rows}) == n


def test_rows_are_deterministic():
    def draw(seed: int) -> list[tuple[str, str, dt.date, str]]:
        stream = MemberStream(_fake_tree(500, seed), 500, random.Random(seed), TODAY)
        return [(d.name, d.id_number, a.join_date, a.org.name) for d, a in stream]

    assert draw(11) == draw(11)
    assert draw(11) != draw(12)


@pytest.mark.django_db
def test_force_reload_with_the_same_seed_gives_the_same_county():
    def snapshot() -> tuple[list[tuple], list[tuple]]:
        orgs = list(
            Organization.objects.values_list(
                "path", "code", "name", "kind", "founded_on", "term_end", "secretary__id_hash"
            )
        )
        members = list(
            Member.objects.order_by("org_path", "id_hash").values_list(
                "id_hash", "name", "birth_date", "org_path", "join_date", "status", "group__path"
            )
        )
        return orgs, members

    load_demo(members=120, seed=5)
    first = snapshot()
    assert ProcedureStep.objects.exists()  # the demo's transfers, appraisal and 四议两公开
    clear_demo_data()
    assert not Organization.objects.exists() and not Member.objects.exists()
    assert not ProcedureStep.objects.exists()  # no step left for a reused id to inherit
    load_demo(members=120, seed=5)
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_creates_a_login_for_each_role():
    out = io.StringIO()
    call_command("seed_demo", "--members", "150", stdout=out)
    assert "150 名党员" in out.getvalue() and "Demo@2026" in out.getvalue()
    grants = {
        (g.user.username, g.role, g.org.name if g.org else None, g.can_view_sensitive)
        for g in RoleGrant.objects.select_related("user", "org")
    }
    assert grants == {
        ("sysadmin", Role.SYSTEM_ADMIN, None, False),
        ("secadmin", Role.SECURITY_ADMIN, None, False),
        ("auditadmin", Role.AUDIT_ADMIN, None, False),
        ("county", Role.ORG_ADMIN, "中共清河县委员会", True),
        ("township", Role.ORG_ADMIN, "中共城关镇委员会", False),
        ("secretary", Role.BRANCH_SECRETARY, "张庄村党支部", False),
        ("dangwei", Role.PARTY_COMMITTEE, "中共城关镇委员会", False),
        ("jiwei", Role.DISCIPLINE_COMMITTEE, "中共城关镇委员会", False),
    }
    users = get_user_model().objects
    for user in users.filter(username__in=["sysadmin", "county", "member"]):
        assert user.check_password(DEMO_PASSWORD)
        validate_password(DEMO_PASSWORD, user)  # the password policy (等保)
    member = Member.objects.get(user__username="member")
    assert member.org.name == "张庄村党支部" and member.status == MemberStatus.ACTIVE
    assert scope_for(member.user).own_member_id == member.pk
    assert not scope_for(member.user).sees_orgs
    secretary = Member.objects.get(user__username="secretary")
    assert Organization.objects.get(name="张庄村党支部").secretary == secretary
    assert users.get(username="secretary").first_name == secretary.name


@pytest.mark.django_db
def test_demo_party_committee_and_discipline_see_the_township_but_do_not_edit(client):
    from django.urls import reverse

    call_command("seed_demo", "--members", "150", stdout=io.StringIO())
    township = Organization.objects.get(name="中共城关镇委员会")
    inside = Member.objects.filter(org_path__startswith=township.path).first()
    outside = Member.objects.exclude(org_path__startswith=township.path).first()
    for username in ("dangwei", "jiwei"):
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        client.force_login(user)
        assert client.get(reverse("members:detail", args=[inside.pk])).status_code == 200
        assert client.get(reverse("members:edit", args=[inside.pk])).status_code == 403
        assert client.get(reverse("members:detail", args=[outside.pk])).status_code == 404
        client.logout()


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_that_has_organizations():
    call_command("seed_demo", "--members", "60", stdout=io.StringIO())
    with pytest.raises(CommandError, match="已有组织数据"):
        call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "未重新生成" in out.getvalue()
    assert generated().count() == 60
    first = set(generated().values_list("id_hash", flat=True))
    call_command("seed_demo", "--force", "--members", "70", "--seed", "8", stdout=io.StringIO())
    assert generated().count() == 70 and not first & set(
        generated().values_list("id_hash", flat=True)
    )
    assert RoleGrant.objects.count() == 8 and get_user_model().objects.count() == 9


def test_print_logins_needs_no_database():
    out = io.StringIO()
    call_command("seed_demo", "--print-logins", stdout=out)  # no db fixture: any query fails
    text = out.getvalue()
    for word in ("角色", "用户名", "密码", "可见范围", "county", "secretary", "审计管理员"):
        assert word in text
    for word in ("dangwei", "基层党委（审批）", "jiwei", "纪委"):
        assert word in text


def test_helpers():
    assert [path_step(i) for i in (1, 10, 36, 37)] == ["0001", "000A", "0010", "0011"]
    assert [cn_number(i) for i in (1, 10, 12, 40, 105, 110)] == [
        "一",
        "十",
        "十二",
        "四十",
        "一百零五",
        "一百一十",
    ]
    assert allocate(401, [1.0, 0.5, 2.2, 0.3]) == [100, 50, 221, 30]
    assert allocate(0, [1.0, 2.0]) == [0, 0]
