"""Registering existing members whose real history differs from "转正 one year after joining":
a past 延长预备期 (6–12 months, recorded as ADMIT → EXTEND → CONVERT), joins under the 九大、
十大党章 (1969–1977, no probation: full from the join date), and joins before 1956 (the
probation depended on class: a window, not one day)."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.members.history import replay
from dangjian.members.models import Member, MemberEvent
from dangjian.rosters.testing import roster_row, xlsx
from dangjian.rosters.tests.test_import_roster import confirm, upload
from dangjian.testing import make_id_number

Kind = MemberEvent.Kind
BIRTH = dt.date(1948, 5, 4)


def form_data(cast, join, full, **overrides):
    return {
        "name": "郑国华", "gender": "M", "ethnicity": "01", "birth_date": BIRTH.isoformat(),
        "id_number": make_id_number(BIRTH, "M"), "education": "ba", "person_category": "prof",
        "org": cast.branch.pk, "join_date": join, "full_date": full, **overrides,
    }  # fmt: skip


def register(cast, join, full, **overrides):
    data = form_data(cast, join, full, **overrides)
    return cast.client(cast.secretary).post(reverse("members:create"), data)


def kinds(member):
    return [(e.kind, e.effective_date, e.months) for e in member.events.order_by("pk")]


@pytest.mark.parametrize(("full", "months"), [("2017-01-01", 6), ("2017-07-01", 12)])
def test_a_past_extension_is_registered_as_admit_extend_convert(cast, full, months):
    response = register(cast, "2015-07-01", full)
    member = Member.objects.get(name="郑国华")
    assert response.status_code == 302
    assert kinds(member) == [
        (Kind.ADMIT, dt.date(2015, 7, 1), None),
        (Kind.EXTEND, dt.date(2016, 7, 1), months),
        (Kind.CONVERT, dt.date.fromisoformat(full), None),
    ]
    assert (member.category, member.full_date) == ("full", dt.date.fromisoformat(full))
    spells = [(s.category, s.valid_from) for s in member.spells.order_by("valid_from")]
    assert spells == [("prob", dt.date(2015, 7, 1)), ("full", dt.date.fromisoformat(full))]
    page = cast.client(cast.secretary).get(reverse("members:detail", args=[member.pk]))
    assert f"延长预备期（{months} 个月）" in page.content.decode()


@pytest.mark.parametrize("full", ["2016-12-01", "2017-08-01", "2016-07-02", "2016-12-31"])
def test_other_full_dates_are_refused_with_the_expected_dates(cast, full):
    response = register(cast, "2015-07-01", full)
    assert response.status_code == 200
    [message] = response.context["form"].errors["full_date"]
    assert "预备期满之日为 2016-07-01" in message
    assert "6 至 12 个月" in message and "2017-01-01 至 2017-07-01" in message
    assert not Member.objects.filter(name="郑国华").exists()


def test_api_refuses_a_13_month_extension_on_the_full_date_field(cast):
    from dangjian.members.tests.test_api import api, new_member_payload

    payload = new_member_payload(cast, join_date="2016-07-01", full_date="2018-08-01")
    response = api(cast.county_admin).post(reverse("member-list"), payload, format="json")
    assert response.status_code == 400
    assert "2018-01-01 至 2018-07-01" in str(response.json()), response.json()


def test_a_join_under_the_1969_constitution_is_full_from_the_join_date(cast):
    response = register(cast, "1970-03-01", "1970-03-01")
    member = Member.objects.get(name="郑国华")
    assert response.status_code == 302
    assert kinds(member) == [(Kind.ADMIT, dt.date(1970, 3, 1), None)]
    assert (member.category, member.join_date, member.full_date) == (
        "full", dt.date(1970, 3, 1), dt.date(1970, 3, 1)
    )  # fmt: skip
    [spell] = member.spells.all()
    assert (spell.category, spell.valid_from, spell.opened_by) == (
        "full",
        member.join_date,
        "admit",
    )


@pytest.mark.parametrize(
    ("join", "ok"),
    [("1969-04-27", False), ("1969-04-28", True), ("1977-08-17", True), ("1977-08-18", False)],
)
def test_no_probation_only_while_the_rule_gives_none(cast, join, ok):
    response = register(cast, join, join)
    assert Member.objects.filter(name="郑国华").exists() == ok
    if not ok:
        assert "预备期满之日为" in response.context["form"].errors["full_date"][0]


def test_a_1978_join_converted_on_the_join_date_is_refused(cast):
    response = register(cast, "1978-03-01", "1978-03-01")
    assert "预备期满之日为 1979-03-01" in response.context["form"].errors["full_date"][0]


def test_a_1970_join_with_a_later_full_date_is_refused(cast):
    response = register(cast, "1970-03-01", "1971-03-01")
    assert "转正日期应为 1970-03-01" in response.context["form"].errors["full_date"][0]


def test_a_1970_member_cannot_be_converted_again(cast):
    register(cast, "1970-03-01", "1970-03-01")
    member = Member.objects.get(name="郑国华")
    assert Kind.CONVERT not in replay(member.events.all()).allowed_moves()


def test_a_join_before_1956_accepts_any_full_date_within_the_window(cast):
    old = {"birth_date": "1925-03-01", "id_number": make_id_number(dt.date(1925, 3, 1), "M")}
    register(cast, "1949-05-01", "1949-11-01", **old)  # 七大党章: 工人 six months
    member = Member.objects.get(name="郑国华")
    assert kinds(member) == [
        (Kind.ADMIT, dt.date(1949, 5, 1), None),
        (Kind.CONVERT, dt.date(1949, 11, 1), None),
    ]
    old["id_number"] = make_id_number(dt.date(1925, 3, 1), "M")
    response = register(cast, "1949-05-01", "1951-05-02", **old)  # beyond two years
    assert "1949-05-01 至 1951-05-01" in response.context["form"].errors["full_date"][0]


def test_roster_import_of_a_row_with_an_extended_probation(cast):
    rows = [roster_row("陈建国", 入党日期=dt.date(2010, 7, 1), 转正日期=dt.date(2012, 1, 1))]
    batch = confirm(cast, upload(cast, xlsx(rows)))
    assert batch.result["added"] == 1
    member = Member.objects.get(name="陈建国")
    assert [(e.kind, e.months) for e in member.events.order_by("pk")] == [
        (Kind.ADMIT, None), (Kind.EXTEND, 6), (Kind.CONVERT, None)
    ]  # fmt: skip


def test_roster_import_names_the_row_and_column_of_a_wrong_full_date(cast):
    rows = [
        roster_row("陈建国"),
        roster_row("刘秀英", gender="女", birth=dt.date(1990, 1, 2), 转正日期=dt.date(2011, 12, 1)),
    ]
    batch = upload(cast, xlsx(rows))
    [error] = batch.preview["errors"]
    assert error["row"] == 3 and "转正日期" in error["column"]
    assert "2012-01-01 至 2012-07-01" in error["message"]
    assert not Member.objects.filter(name__in=["陈建国", "刘秀英"]).exists()


def test_a_probation_extended_before_a_transfer_in_is_carried_by_the_transfer(cast):
    data = form_data(cast, "2015-07-01", "2017-01-01", transferred_in_on="2016-09-01")
    response = cast.client(cast.secretary).post(reverse("members:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(name="郑国华")
    assert kinds(member) == [
        (Kind.TRANSFER_IN, dt.date(2016, 9, 1), 6),
        (Kind.CONVERT, dt.date(2017, 1, 1), None),
    ]
    assert (member.category, member.full_date) == ("full", dt.date(2017, 1, 1))
    page = cast.client(cast.secretary).get(reverse("members:detail", args=[member.pk]))
    assert "原组织已延长预备期 6 个月" in page.content.decode()


def test_a_probation_extended_after_a_transfer_in_is_an_extension_here(cast):
    data = form_data(cast, "2015-07-01", "2017-07-01", transferred_in_on="2016-03-01")
    cast.client(cast.secretary).post(reverse("members:create"), data)
    member = Member.objects.get(name="郑国华")
    assert [k for k, _, _ in kinds(member)] == [Kind.TRANSFER_IN, Kind.EXTEND, Kind.CONVERT]
