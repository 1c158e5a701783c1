"""The registry's pages with real form posts: clear Chinese errors, nothing half-saved."""

import datetime as dt

from django.urls import reverse

from dangjian.members.models import Member, MemberEvent
from dangjian.testing import make_id_number

BIRTH = dt.date(1994, 4, 4)


def form_data(cast, **overrides):
    return {
        "name": "孙丽", "gender": "F", "ethnicity": "01", "birth_date": BIRTH.isoformat(),
        "id_number": make_id_number(BIRTH, "F"), "education": "ba", "person_category": "prof",
        "org": cast.branch.pk, "join_date": "2018-06-20", "full_date": "2019-06-20",
        **overrides,
    }  # fmt: skip


def test_create_form_registers_member(cast):
    response = cast.client(cast.secretary).post(reverse("members:create"), form_data(cast))
    member = Member.objects.get(name="孙丽")
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    assert [e.kind for e in member.events.order_by("effective_date")] == ["admit", "convert"]


def test_create_form_shows_id_error_next_to_the_field_and_saves_nothing(cast):
    wrong = make_id_number(dt.date(1994, 4, 5), "F")
    response = cast.client(cast.secretary).post(
        reverse("members:create"), form_data(cast, id_number=wrong)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["id_number"] == [
        "公民身份号码中的出生日期为 1994-04-05，与填写的出生日期 1994-04-04 不一致。"
    ]
    assert not Member.objects.filter(name="孙丽").exists()


def test_create_form_offers_only_writable_organizations(cast):
    response = cast.client(cast.secretary).get(reverse("members:create"))
    choices = [str(o) for o in response.context["form"].fields["org"].queryset]
    assert choices == ["东街社区党支部"]


def test_event_form_records_transfer_out(cast):
    client = cast.client(cast.secretary)
    response = client.post(
        reverse("members:event-create", args=[cast.member.pk]),
        {"kind": "out", "effective_date": "2024-03-01", "counterpart": "天津市某党支部"},
    )
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.status == "out"
    assert MemberEvent.objects.filter(member=cast.member, kind="out").exists()


def test_member_list_query_count_does_not_grow_with_rows(cast, django_assert_max_num_queries):
    client = cast.client(cast.county_admin)
    with django_assert_max_num_queries(13):  # 13: the nav's unread 通知 count is one
        client.get(reverse("members:list"))
    for i in range(10):
        cast_member = form_data(cast, name=f"新人{i}", id_number=make_id_number(BIRTH, "F"))
        client.post(reverse("members:create"), cast_member)
    with django_assert_max_num_queries(13):
        client.get(reverse("members:list"))


def test_org_page_query_count_is_bounded(cast, django_assert_max_num_queries):
    client = cast.client(cast.county_admin)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("orgs:detail", args=[cast.county.pk])).status_code == 200


def test_member_is_placed_in_a_group_of_own_branch_only(cast):
    from dangjian.orgs.models import OrgKind
    from dangjian.orgs.services import create_organization

    group = create_organization(
        actor=cast.county_admin,
        parent=cast.branch,
        kind=OrgKind.GROUP,
        values={"name": "第一党小组", "code": "100000000070"},
    )
    client = cast.client(cast.secretary)
    url = reverse("members:group", args=[cast.member.pk])
    assert client.post(url, {"group": group.pk}).status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.group == group
    other = create_organization(
        actor=cast.county_admin,
        parent=cast.other_branch,
        kind=OrgKind.GROUP,
        values={"name": "河口小组", "code": "100000000071"},
    )
    response = client.post(url, {"group": other.pk})
    assert response.status_code == 200  # not a choice: refused by the form
    cast.member.refresh_from_db()
    assert cast.member.group == group
