import datetime as dt
import io
import random

from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.scope import scope_for
from dangjian.demo.generator import allocate, build_tree, county_tree, generate, member_rows
from dangjian.members.idnumber import validate_id_number
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def test_generated_county_is_a_valid_tree_with_valid_members(db):
    root = generate(300, seed=7, today=dt.date(2026, 11, 1))
    assert Organization.find_problems() == ([], [], [], [], [])
    members = list(Member.objects.select_related("org"))
    assert len(members) == 300
    for m in members:
        validate_id_number(m.reveal_id_number(), birth_date=m.birth_date, gender=m.gender)
        assert m.org.holds_members and m.org_path.startswith(root.path)
        assert m.join_date >= m.birth_date + relativedelta(years=18)
    women = sum(m.gender == "F" for m in members) / len(members)
    assert 0.22 < women < 0.40


def test_generation_is_deterministic(db):
    today = dt.date(2026, 11, 1)
    orgs = build_tree(county_tree(random.Random(11), 120), random.Random(11))

    def draw() -> list[tuple[str, dt.date, str]]:
        rows = member_rows(orgs, 120, random.Random(11), today)
        return [(d.name, d.birth_date, a.org.name) for d, a in rows]

    assert draw() == draw()


def test_allocate_splits_exactly():
    assert sum(allocate(401, [1.0, 0.5, 2.2, 0.3])) == 401


def test_seed_demo_creates_a_login_for_each_role(db):
    call_command("seed_demo", "--members", "150", stdout=io.StringIO())
    roles = set(RoleGrant.objects.values_list("user__username", "role"))
    assert {
        ("county", "orgadmin"),
        ("township", "orgadmin"),
        ("secretary", "secretary"),
        ("sysadmin", "sysadmin"),
        ("secadmin", "secadmin"),
        ("auditadmin", "auditadmin"),
    } <= roles
    member = Member.objects.get(user__username="member")
    assert scope_for(member.user).own_member_id == member.pk
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "未重新生成" in out.getvalue()
