import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.members.models import Member
from dangjian.members.selectors import roster_on
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import (
    create_organization,
    dissolve_organization,
    merge_branches,
    move_organization,
    update_organization,
)


def test_subtree_move_keeps_members_and_history(cast):
    town2 = Organization.objects.get(name="中共河口镇委员会")
    before = roster_on(cast.branch, dt.date(2015, 1, 1)).count()
    move_organization(actor=cast.county_admin, org=cast.township, new_parent=town2)
    cast.branch.refresh_from_db()
    cast.member.refresh_from_db()
    assert cast.branch.path.startswith(town2.path)
    assert cast.member.org_path == cast.branch.path
    assert list(Member.objects.under(town2).order_by("name").values_list("name", flat=True)) == [
        "李明",
        "王芳",
    ]
    assert roster_on(cast.branch, dt.date(2015, 1, 1)).count() == before == 1
    assert roster_on(town2, dt.date(2016, 1, 1), subtree=True).count() == 2
    assert cast.member.history.count() == 2  # created + linked to a login; the move adds none
    assert AuditEvent.objects.filter(
        action="orgs.move_organization", target_id=str(cast.township.pk)
    ).exists()
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_township_admin_keeps_scope_over_moved_subtree(cast):
    town2 = Organization.objects.get(name="中共河口镇委员会")
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=town2)
    from dangjian.accounts.scope import forget_scope

    forget_scope(cast.township_admin)
    assert not Member.objects.visible_to(cast.township_admin).exists()
    forget_scope(cast.secretary)
    assert list(Member.objects.visible_to(cast.secretary)) == [cast.member]


def test_cannot_move_into_own_subtree(cast):
    with pytest.raises(DomainError, match="自己或它的下级"):
        move_organization(actor=cast.county_admin, org=cast.township, new_parent=cast.branch)


def test_cannot_put_a_committee_under_a_branch(cast):
    with pytest.raises(DomainError, match="下不能设立"):
        create_organization(
            actor=cast.county_admin,
            parent=cast.branch,
            kind=OrgKind.COMMITTEE,
            values={"name": "错误", "code": "100000000099"},
        )


def test_merge_moves_members_and_dissolves_source(cast):
    merge_branches(
        actor=cast.county_admin,
        source=cast.branch,
        target=cast.other_branch,
        effective_date=dt.date(2024, 1, 1),
    )
    cast.branch.refresh_from_db()
    cast.member.refresh_from_db()
    assert cast.branch.status == "dissolved" and cast.branch.merged_into == cast.other_branch
    assert cast.member.org == cast.other_branch
    assert [s.member.name for s in roster_on(cast.branch, dt.date(2023, 12, 31))] == ["李明"]
    assert roster_on(cast.other_branch, dt.date(2024, 1, 1)).count() == 2


def test_dissolve_refuses_while_members_remain(cast):
    with pytest.raises(DomainError, match="还有 1 名党员"):
        dissolve_organization(
            actor=cast.county_admin,
            org=cast.branch,
            effective_date=dt.date(2024, 1, 1),
            reason="撤并",
        )


def test_dissolving_an_empty_branch_keeps_it_in_the_tree(cast):
    empty = create_organization(
        actor=cast.county_admin,
        parent=cast.township,
        kind=OrgKind.BRANCH,
        values={"name": "空支部", "code": "100000000050"},
    )
    dissolve_organization(
        actor=cast.county_admin,
        org=empty,
        effective_date=dt.date(2024, 1, 1),
        reason="县委组织部〔2024〕1号",
    )
    empty.refresh_from_db()
    assert empty.status == "dissolved"
    assert empty.history.count() == 2


def test_rename_is_recorded_and_stale_edit_refused(cast):
    update_organization(
        actor=cast.county_admin,
        org=cast.branch,
        expected_version=1,
        values={"name": "东街社区第一党支部"},
    )
    stale = Organization.objects.get(pk=cast.branch.pk)
    stale.version = 1
    with pytest.raises(ConcurrentEditError):
        update_organization(
            actor=cast.township_admin, org=stale, expected_version=1, values={"name": "别的名字"}
        )
    record = cast.branch.history.first()
    assert record.name == "东街社区第一党支部"
    assert record.history_user == cast.county_admin
    entry = AuditEvent.objects.get(action="orgs.update_organization", target_id=str(cast.branch.pk))
    assert entry.detail == {
        "before": {"name": "东街社区党支部"},
        "after": {"name": "东街社区第一党支部"},
    }


def test_outsider_cannot_move_our_branch(cast):
    with pytest.raises(DomainError, match="不在您的管理范围"):
        move_organization(actor=cast.outsider, org=cast.branch, new_parent=cast.far_county)


def test_tree_page_uses_constant_queries(cast, django_assert_max_num_queries):
    client = cast.client(cast.county_admin)
    with django_assert_max_num_queries(20):
        assert client.get("/orgs/").status_code == 200


def test_merge_keeps_members_in_their_groups_and_a_move_leaves_the_group(cast):
    from dangjian.members.services import assign_group, record_event

    group = create_organization(
        actor=cast.county_admin,
        parent=cast.branch,
        kind=OrgKind.GROUP,
        values={"name": "第一党小组", "code": "100000000080"},
    )
    assign_group(actor=cast.county_admin, member=cast.member, group=group)
    merge_branches(
        actor=cast.county_admin,
        source=cast.branch,
        target=cast.other_branch,
        effective_date=dt.date(2024, 1, 1),
    )
    cast.member.refresh_from_db()
    assert cast.member.group == group and cast.member.org == cast.other_branch
    far = Organization.objects.get(name="中共城关镇委员会")
    new_branch = create_organization(
        actor=cast.county_admin,
        parent=far,
        kind=OrgKind.BRANCH,
        values={"name": "新支部", "code": "100000000081"},
    )
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind="move",
        effective_date=dt.date(2024, 6, 1),
        org=new_branch,
    )
    cast.member.refresh_from_db()
    assert cast.member.group is None


def test_org_api_list_gives_parents_without_a_query_per_row(cast, django_assert_max_num_queries):
    client = cast.client(cast.county_admin)
    for i in range(5):  # more rows must not mean more queries
        create_organization(
            actor=cast.county_admin,
            parent=cast.township,
            kind=OrgKind.BRANCH,
            values={"name": f"新支部{i}", "code": f"10000000009{i}"},
        )
    with django_assert_max_num_queries(9):
        rows = client.get("/api/orgs/").json()["results"]
    parents = {r["name"]: r["parent"] for r in rows}
    assert parents["东街社区党支部"] == cast.township.pk and parents["中共清河县委员会"] is None
