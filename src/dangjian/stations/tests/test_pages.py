"""The stations pages: what each role sees, forms that refuse with the field named, the public
list without login or member data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.testing import make_help, make_station, station_values

pytestmark = pytest.mark.django_db


def _post_station(values):
    data = {k: v for k, v in values.items() if k not in ("region", "is_open")}
    data |= {"region_0": values["region"][:2] + "0000", "region_1": values["region"]}
    if values.get("is_open"):
        data["is_open"] = "on"
    return data


def test_secretary_creates_a_station_from_the_page(cast):
    client = cast.client(cast.secretary)
    assert client.get(reverse("stations:create")).status_code == 200
    data = _post_station(station_values()) | {"org": cast.branch.pk}
    response = client.post(reverse("stations:create"), data)
    station = Station.objects.get()
    assert response.status_code == 302 and response["Location"] == station.get_absolute_url()
    assert station.region == "130500" and station.org == cast.branch


def test_station_form_names_the_field_at_fault(cast):
    client = cast.client(cast.secretary)
    data = _post_station(station_values()) | {"org": cast.branch.pk, "region_0": "320000"}
    response = client.post(reverse("stations:create"), data)
    assert response.status_code == 400
    assert "不属于所选省份" in response.content.decode()
    assert not Station.objects.exists()


def test_station_page_masks_the_contact_for_those_who_do_not_manage_it(cast):
    station = make_station(cast.secretary, cast.branch)
    manager = cast.client(cast.township_admin).get(reverse("stations:detail", args=[station.pk]))
    assert "13800002222" in manager.content.decode()
    assert "河北省邢台市" in manager.content.decode()


def test_outsider_gets_404_for_a_station_and_a_help_record(cast):
    station = make_station(cast.secretary, cast.branch)
    record = make_help(cast.secretary, cast.member, station=station)
    client = cast.client(cast.outsider)
    pages = [
        ("stations:detail", station.pk),
        ("stations:edit", station.pk),
        ("stations:help-detail", record.pk),
        ("stations:help-edit", record.pk),
    ]
    for name, pk in pages:
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert "东街社区党员服务站" not in client.get(reverse("stations:list")).content.decode()
    assert "李明" not in client.get(reverse("stations:help-list")).content.decode()


def test_edit_keeps_the_version_and_refuses_a_stale_one(cast):
    station = make_station(cast.secretary, cast.branch)
    client = cast.client(cast.secretary)
    url = reverse("stations:edit", args=[station.pk])
    data = _post_station(station_values(opening_hours="每天 8:00—20:00")) | {
        "org": cast.branch.pk, "version": 1}  # fmt: skip
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"opening_hours": "周末"})
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    assert Station.objects.get().opening_hours == "每天 8:00—20:00"


def test_public_page_needs_no_login_and_shows_no_member_data(client, cast):
    station = make_station(cast.secretary, cast.branch)
    make_station(cast.secretary, cast.branch, name="已关闭的服务点", is_open=False)
    make_help(cast.secretary, cast.member, station=station)
    body = client.get(reverse("stations:public")).content.decode()
    assert "东街社区党员服务站" in body and "0319-8123456" in body and "河北省邢台市" in body
    assert "已关闭的服务点" not in body
    assert "13800002222" not in body and "138****2222" not in body  # the contact's own mobile
    assert "李明" not in body and "推荐到县工业园区" not in body


def test_help_is_recorded_after_finding_the_member(cast):
    station = make_station(cast.secretary, cast.branch)
    client = cast.client(cast.secretary)
    found = client.get(reverse("stations:help-create"), {"q": "李"}).content.decode()
    assert "李明" in found and "王芳" not in found
    url = reverse("stations:help-create") + f"?member={cast.member.pk}&station={station.pk}"
    page = client.get(url).content.decode()
    assert f'<option value="{station.pk}" selected>' in page
    data = {"kind": "training", "date": "2026-04-01", "station": station.pk,
            "description": "参加电商技能培训", "outcome": "", "given_by": "县人社局"}  # fmt: skip
    response = client.post(url, data)
    record = HelpRecord.objects.get()
    assert response.status_code == 302 and record.member == cast.member
    assert record.date == dt.date(2026, 4, 1)
    detail = client.get(reverse("stations:help-detail", args=[record.pk])).content.decode()
    assert "培训" in detail and "参加电商技能培训" in detail


def test_help_for_a_member_outside_scope_is_404(cast):
    client = cast.client(cast.secretary)
    url = reverse("stations:help-create") + f"?member={cast.neighbour.pk}"
    assert client.get(url).status_code == 404


def test_help_form_refuses_a_future_date_by_name(cast):
    client = cast.client(cast.secretary)
    url = reverse("stations:help-create") + f"?member={cast.member.pk}"
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    data = {"kind": "jobs", "date": tomorrow.isoformat(), "description": "x", "given_by": "y"}
    response = client.post(url, data)
    assert response.status_code == 400 and "帮扶日期不能晚于今天" in response.content.decode()


def test_nav_links_to_the_stations(cast):
    body = cast.client(cast.secretary).get(reverse("core:home")).content.decode()
    assert reverse("stations:list") in body


def test_list_and_help_pages_take_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    station = make_station(cast.secretary, cast.branch)
    for day in range(1, 6):
        make_help(cast.secretary, cast.member, station=station, date=dt.date(2026, 1, day))
    client = cast.client(cast.township_admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("stations:help-list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("stations:list"))


def test_public_page_leaves_out_stations_of_dissolved_organizations(client, cast):
    from dangjian.orgs.models import OrgKind
    from dangjian.orgs.services import create_organization, dissolve_organization

    empty = create_organization(actor=cast.county_admin, parent=cast.township,
                                kind=OrgKind.BRANCH, values={"name": "河口村党支部（旧）",
                                                             "code": "100000000009"})  # fmt: skip
    make_station(cast.county_admin, empty, name="河口村党员服务点")
    dissolve_organization(actor=cast.county_admin, org=empty,
                          effective_date=dt.date(2026, 1, 5), reason="村改居")  # fmt: skip
    assert "河口村党员服务点" not in client.get(reverse("stations:public")).content.decode()


def test_login_page_links_to_the_public_list(client):
    assert reverse("stations:public") in client.get(reverse("accounts:login")).content.decode()


def test_help_record_links_to_member_and_station_only_where_the_user_sees_them(cast):
    station = make_station(cast.secretary, cast.branch)
    record = make_help(cast.outsider, cast.far_member, station=station)
    url = reverse("stations:help-detail", args=[record.pk])
    ours = cast.client(cast.secretary).get(url).content.decode()
    assert reverse("stations:detail", args=[station.pk]) in ours
    assert reverse("members:detail", args=[cast.far_member.pk]) not in ours
    theirs = cast.client(cast.outsider).get(url).content.decode()
    assert reverse("members:detail", args=[cast.far_member.pk]) in theirs
    assert reverse("stations:detail", args=[station.pk]) not in theirs


def test_help_section_tag_shows_a_members_help_and_the_stations_near(cast, rf):
    from django.template import Context, Template

    station = make_station(cast.secretary, cast.branch, region="441900", name="驻东莞服务站")
    make_help(cast.secretary, cast.member, station=station)
    request = rf.get("/")
    template = Template("{% load stations %}{% help_section member region='441900' %}")
    request.user = cast.secretary
    html = template.render(Context({"request": request, "member": cast.member}))
    assert "就业" in html and "登记帮扶" in html and "广东省东莞市" in html
    request.user = cast.outsider  # sees neither the record nor may record help for 李明
    html = template.render(Context({"request": request, "member": cast.member}))
    assert "暂无帮扶记录" in html and "登记帮扶" not in html


def test_public_page_filters_by_province(client, cast):
    make_station(cast.secretary, cast.branch, name="邢台站", region="130500")
    make_station(cast.secretary, cast.branch, name="东莞站", region="441900")
    body = client.get(reverse("stations:public")).content.decode()
    assert '<option value="440000">广东省</option>' in body and "邢台站" in body
    body = client.get(reverse("stations:public"), {"province": "440000"}).content.decode()
    assert "东莞站" in body and "邢台站" not in body
