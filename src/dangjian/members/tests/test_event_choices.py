"""变动类型 offers only the moves the member's state allows (the replay's ALLOWED_FROM table);
buttons that would lead to an empty choice are not shown."""

import datetime as dt

from django.urls import reverse

from dangjian.members.services import record_event
from dangjian.orgs.models import OrgKind
from dangjian.orgs.services import create_organization
from dangjian.testing import make_member


def offered(cast, member):
    response = cast.client(cast.county_admin).get(reverse("members:event-create", args=[member.pk]))
    return list(response.context["form"].fields["kind"].choices)


def test_full_member_is_not_offered_conversion_extension_or_cancellation(cast):
    kinds = [k for k, _ in offered(cast, cast.member)]
    assert "convert" not in kinds and "extend" not in kinds and "cancel" not in kinds
    assert kinds == ["move", "out", "suspend", "exit", "death"]


def test_probationary_member_is_offered_the_end_of_probation(cast):
    member = make_member(cast.county_admin, cast.branch, name="周新", full=None)
    kinds = [k for k, _ in offered(cast, member)]
    assert kinds[:3] == ["convert", "extend", "cancel"]


def test_transferred_out_member_is_offered_only_transfer_in(cast):
    record_event(actor=cast.county_admin, member=cast.member, kind="out",
                 effective_date=dt.date(2020, 1, 1), counterpart="外省")  # fmt: skip
    assert offered(cast, cast.member) == [("in", "组织关系转入")]


def test_deceased_member_has_no_event_button_and_the_form_is_not_offered(cast):
    record_event(actor=cast.county_admin, member=cast.member, kind="death",
                 effective_date=dt.date(2020, 1, 1))  # fmt: skip
    client = cast.client(cast.county_admin)
    page = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    assert "登记党籍变动" not in page
    response = client.get(reverse("members:event-create", args=[cast.member.pk]))
    assert response.status_code == 302


def test_group_link_only_where_the_branch_has_groups(cast):
    client = cast.client(cast.county_admin)
    url = reverse("members:detail", args=[cast.member.pk])
    assert reverse("members:group", args=[cast.member.pk]) not in client.get(url).content.decode()
    create_organization(actor=cast.county_admin, parent=cast.branch, kind=OrgKind.GROUP,
                        values={"name": "第一党小组", "code": "100000000031"})  # fmt: skip
    assert reverse("members:group", args=[cast.member.pk]) in client.get(url).content.decode()


def test_extension_is_recorded_through_the_page(cast):
    member = make_member(cast.county_admin, cast.branch, name="周新",
                         join=dt.date(2023, 6, 1), full=None)  # fmt: skip
    response = cast.client(cast.county_admin).post(
        reverse("members:event-create", args=[member.pk]),
        {"kind": "extend", "effective_date": "2024-06-01", "months": "6",
         "decided_on": "2024-06-05"},
    )  # fmt: skip
    assert response.status_code == 302
    extension = member.events.get(kind="extend")
    assert (extension.months, extension.decided_on) == (6, dt.date(2024, 6, 5))


def test_probationer_page_shows_the_end_of_probation_and_the_form_proposes_it(cast):
    member = make_member(cast.county_admin, cast.branch, name="周新",
                         join=dt.date(2023, 6, 1), full=None)  # fmt: skip
    record_event(actor=cast.county_admin, member=member, kind="extend",
                 effective_date=dt.date(2024, 6, 1), months=6)  # fmt: skip
    client = cast.client(cast.county_admin)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert '<dd id="probation-end">2024-12-01</dd>' in page
    form = client.get(reverse("members:event-create", args=[member.pk])).context["form"]
    assert form.initial["effective_date"] == dt.date(2024, 12, 1)
    assert [k for k, _ in form.fields["kind"].choices][:2] == ["convert", "cancel"]


def test_api_lists_the_same_event_kinds_as_the_form(cast):
    from dangjian.members.tests.test_api import api

    url = reverse("member-event-kinds", args=[cast.member.pk])
    body = api(cast.county_admin).get(url).json()
    assert [k["kind"] for k in body["kinds"]] == [k for k, _ in offered(cast, cast.member)]
    assert body["probation_end"] is None
    assert api(cast.outsider).get(url).status_code == 404


def test_history_table_shows_the_extension_months_and_the_resolution_date(cast):
    member = make_member(cast.county_admin, cast.branch, name="周新",
                         join=dt.date(2023, 6, 1), full=None)  # fmt: skip
    record_event(actor=cast.county_admin, member=member, kind="extend", months=6,
                 effective_date=dt.date(2024, 6, 1), decided_on=dt.date(2024, 6, 5))  # fmt: skip
    page = cast.client(cast.county_admin).get(reverse("members:detail", args=[member.pk]))
    assert "延长预备期（6 个月）" in page.content.decode()
    assert "支部大会 2024-06-05 决议" in page.content.decode()
