"""单位建立党组织情况: every column by hand, on a later and an earlier date, and its page, API,
export and scope.

Under 城关镇 (the cast's township) the fixture sets up, all members full since 2011 unless said:
- 东街社区 (社区): its own 东街社区党支部, with 李明 and two more, plus a 2025 预备党员;
- 甲公司 (非公有制企业): three in the 联合党支部, one of them joined only in 2019;
- 乙公司 (非公有制企业): two full members and a 2025 预备党员 in the 联合党支部;
- 丙公司 (非公有制企业): three members, in the 联合党支部 until its own branch was founded on
  2020-03-01;
- 丁公司 (国有企业): its own branch (founded 2005) with three members, who moved to the
  community branch when it was dissolved on 2024-01-01;
- 戊局 (党政机关): three members in the community branch; its organization (the cast's
  河口村党支部, given this unit) is in the other township.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.models import RuleValue
from dangjian.members.services import record_event, update_member
from dangjian.orgs.models import Organization, OrgKind, Unit
from dangjian.orgs.services import create_organization, dissolve_organization, get_or_create_unit
from dangjian.stats import columnar, coverage
from dangjian.stats.coverage import CoverageRow, unit_coverage
from dangjian.testing import make_member

NOW = dt.date(2025, 12, 31)
THEN = dt.date(2018, 12, 31)
C = Unit.Category


@dataclass
class Town:
    cast: Any
    community: Unit
    firms: dict[str, Unit]
    joint: Organization


def _org(cast: Any, kind: str, name: str, code: str, **values: Any) -> Organization:
    return create_organization(
        actor=cast.county_admin,
        parent=cast.township,
        kind=kind,
        values={"name": name, "code": code, **values},
    )


def _workers(cast: Any, org: Organization, unit: Unit, n: int, **kwargs: Any) -> list[Any]:
    return [
        make_member(cast.county_admin, org, name=f"{unit.name}{i}", work_unit_id=unit.pk, **kwargs)
        for i in range(n)
    ]


def _move(cast: Any, members: list[Any], org: Organization, on: dt.date) -> None:
    for m in members:
        record_event(actor=cast.county_admin, member=m, kind="move", effective_date=on, org=org)


@pytest.fixture
def town(cast: Any) -> Town:
    community = get_or_create_unit("东街社区", C.COMMUNITY)
    Organization.objects.filter(pk=cast.branch.pk).update(unit=community)
    firms = {
        name: get_or_create_unit(name, category)
        for name, category in [
            ("甲公司", C.PRIVATE_ENTERPRISE),
            ("乙公司", C.PRIVATE_ENTERPRISE),
            ("丙公司", C.PRIVATE_ENTERPRISE),
            ("丁公司", C.STATE_ENTERPRISE),
            ("戊局", C.GOVERNMENT),
        ]
    }
    Organization.objects.filter(pk=cast.other_branch.pk).update(unit=firms["戊局"])
    joint = _org(cast, OrgKind.JOINT_BRANCH, "城关镇非公有制企业联合党支部", "100000000010")
    update_member(
        actor=cast.county_admin,
        member=cast.member,
        expected_version=cast.member.version,
        changes={"work_unit_id": community.pk},
    )
    _workers(cast, cast.branch, community, 2)
    _workers(cast, cast.branch, community, 1, join=dt.date(2025, 6, 1), full=None)
    _workers(cast, joint, firms["甲公司"], 2)
    _workers(cast, joint, firms["甲公司"], 1, join=dt.date(2019, 7, 1), full=dt.date(2020, 7, 1))
    _workers(cast, joint, firms["乙公司"], 2)
    _workers(cast, joint, firms["乙公司"], 1, join=dt.date(2025, 6, 1), full=None)
    bing = _org(cast, OrgKind.BRANCH, "丙公司党支部", "100000000011", unit=firms["丙公司"],
                founded_on=dt.date(2020, 3, 1))  # fmt: skip
    _move(cast, _workers(cast, joint, firms["丙公司"], 3), bing, dt.date(2020, 3, 1))
    ding = _org(cast, OrgKind.BRANCH, "丁公司党支部", "100000000012", unit=firms["丁公司"],
                founded_on=dt.date(2005, 1, 1))  # fmt: skip
    _move(cast, _workers(cast, ding, firms["丁公司"], 3), cast.branch, dt.date(2024, 1, 1))
    dissolve_organization(
        actor=cast.county_admin, org=ding, effective_date=dt.date(2024, 1, 1), reason="企业改制"
    )
    _workers(cast, cast.branch, firms["戊局"], 3)
    return Town(cast, community, firms, joint)


@pytest.fixture(params=["sql", "store"])
def engine(request: Any, settings: Any) -> Any:
    """The member side counted in SQL, or in a column store (loaded by the first count)."""
    columnar.reset()
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 0 if request.param == "store" else 10**9
    yield request.param
    columnar.reset()


def _both(org: Organization, on: dt.date, settings: Any) -> tuple[Any, Any]:
    columnar.reset()
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 10**9
    in_sql = unit_coverage(org, on)
    columnar.reset()  # forget that the installation looked small
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 0
    from_store = unit_coverage(org, on)
    assert columnar._store is not None
    return in_sql, from_store


def _table(rows: list[CoverageRow]) -> dict[str, tuple[Any, ...]]:
    """Label → (单位数, 具备条件, 单独建立, 联合建立, 未建立, 覆盖率), for rows with units."""
    return {
        r.label: (r.units, r.eligible, r.own, r.joint, r.missing, r.rate) for r in rows if r.units
    }


def test_township_coverage_now(town: Town, engine: str) -> None:
    assert _table(unit_coverage(town.cast.township, NOW)) == {
        "党政机关": (1, 1, 1, 0, 0, 100.0),  # 戊局: its organization is in the other township
        "国有企业": (1, 1, 0, 0, 1, 0.0),  # 丁公司: its branch was dissolved in 2024
        "非公有制企业": (3, 2, 1, 1, 0, 50.0),  # 丙 own, 甲 joint; 乙 has 2 full + 1 预备
        "社区": (1, 1, 1, 0, 0, 100.0),
        "合计": (6, 5, 3, 1, 1, 60.0),
    }


def test_township_coverage_on_a_past_date(town: Town, engine: str) -> None:
    # 甲公司's third member joined in 2019; 丙公司's branch was not founded yet (its members
    # were in the joint branch); 丁公司's branch still existed.
    assert _table(unit_coverage(town.cast.township, THEN)) == {
        "党政机关": (1, 1, 1, 0, 0, 100.0),
        "国有企业": (1, 1, 1, 0, 0, 100.0),
        "非公有制企业": (3, 1, 0, 1, 0, 0.0),
        "社区": (1, 1, 1, 0, 0, 100.0),
        "合计": (6, 4, 3, 1, 0, 75.0),
    }


def test_rows_follow_the_unit_categories_then_the_total(town: Town) -> None:
    rows = unit_coverage(town.cast.county, NOW)
    assert [r.label for r in rows] == [*C.labels, "合计"]
    assert rows[-1].units == 6 and rows[-1].rate == 60.0
    assert next(r for r in rows if r.category == C.SCHOOL).rate is None  # no eligible units


def test_a_branch_subtree_sees_only_its_members_units(town: Town, engine: str) -> None:
    assert _table(unit_coverage(town.cast.branch, NOW))["合计"] == (3, 3, 2, 0, 1, 66.7)
    assert _table(unit_coverage(town.cast.other_branch, NOW)) == {
        "党政机关": (1, 0, 0, 0, 0, None),  # the organization's unit, no member works there
        "合计": (1, 0, 0, 0, 0, None),
    }


def test_the_threshold_is_the_rule_in_force_on_the_date(town: Town, engine: str) -> None:
    RuleValue.objects.create(
        key="organization.min_full_members",
        value=2,
        effective_from=dt.date(2025, 1, 1),
        source="测试用修订",
    )
    assert _table(unit_coverage(town.cast.township, NOW))["非公有制企业"] == (3, 3, 1, 2, 0, 33.3)
    assert _table(unit_coverage(town.cast.township, THEN))["非公有制企业"][1] == 1


def test_the_store_and_sql_agree_on_every_subtree_and_date(town: Town, settings: Any) -> None:
    cast = town.cast
    days = [NOW, THEN, dt.date(2020, 2, 29), dt.date(2020, 3, 1), dt.date(2023, 12, 31)]
    for org in (cast.county, cast.township, cast.branch, cast.other_branch, town.joint):
        for on in [*days, dt.date(2024, 1, 1)]:
            in_sql, from_store = _both(org, on, settings)
            assert in_sql == from_store, (org.name, on)


def test_a_dissolved_joint_branch_reloads_the_store(town: Town, settings: Any) -> None:
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 0
    columnar.reset()
    store = columnar.ensure_loaded()
    for m in town.joint.members.all():  # moved out on 1 June, after the branch closed in May
        record_event(actor=town.cast.county_admin, member=m, kind="move",
                     effective_date=dt.date(2025, 6, 1), org=town.cast.branch)  # fmt: skip
    dissolve_organization(actor=town.cast.county_admin, org=town.joint,
                          effective_date=dt.date(2025, 5, 1), reason="合并")  # fmt: skip
    assert columnar.unit_counts(town.cast.township, NOW) is not None
    assert columnar._store is not store  # the closing reloaded it
    for on in (dt.date(2025, 4, 30), dt.date(2025, 5, 1), dt.date(2025, 5, 15), NOW):
        in_sql, from_store = _both(town.cast.township, on, settings)
        assert in_sql == from_store, on
    before, closed = (
        _table(unit_coverage(town.cast.township, dt.date(2025, d, 1))) for d in (4, 5)
    )
    assert before["非公有制企业"][3] == 1 and closed["非公有制企业"][3] == 0  # 甲公司: joint


def test_many_units_are_looked_up_in_one_pass(town: Town, monkeypatch: Any) -> None:
    expected = unit_coverage(town.cast.township, THEN)
    monkeypatch.setattr(coverage, "MANY_UNITS", 0)
    assert unit_coverage(town.cast.township, THEN) == expected


def test_coverage_takes_a_fixed_number_of_queries(
    town: Town, django_assert_max_num_queries: Any
) -> None:
    # The rule, the joint branches, the grouped count, the units' categories, which have an
    # organization, the subtree's own organizations (and, once, the installation's size).
    with django_assert_max_num_queries(7):
        unit_coverage(town.cast.county, NOW)
    with django_assert_max_num_queries(6):
        unit_coverage(town.cast.county, NOW)


# ---- page, API, export, scope --------------------------------------------------------------


def test_report_page_loads_the_section_lazily(town: Town) -> None:
    client = town.cast.client(town.cast.county_admin)
    body = client.get(reverse("stats:report"), {"org": town.cast.county.pk}).content.decode()
    assert "单位建立党组织情况" in body and 'hx-trigger="load"' in body
    assert f"{reverse('stats:coverage')}?org={town.cast.county.pk}&amp;on=" in body
    assert 'id="coverage-table"' not in body  # not computed with the page


def test_coverage_fragment_shows_the_table(town: Town) -> None:
    client = town.cast.client(town.cast.township_admin)
    response = client.get(
        reverse("stats:coverage"), {"org": town.cast.township.pk, "on": "2025-12-31"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and 'id="coverage-table"' in body
    assert (
        "<td>非公有制企业</td><td>3</td><td>2</td><td>1</td><td>1</td><td>0</td><td>50.0%</td>"
        in (body.replace("\n", "").replace(" ", ""))
    )
    assert 'id="coverage-chart-data"' in body and "<html" not in body


def test_api_gives_the_same_rows(town: Town) -> None:
    data = (
        town.cast.client(town.cast.county_admin)
        .get(reverse("stats-coverage"), {"org": town.cast.township.pk, "on": "2018-12-31"})
        .json()
    )
    assert data["org"]["id"] == town.cast.township.pk and data["min_full_members"] == 3
    total = data["rows"][-1]
    assert total == {
        "category": "",
        "label": "合计",
        "units": 6,
        "eligible": 4,
        "own": 3,
        "joint": 1,
        "missing": 0,
        "rate": 75.0,
    }


def test_api_is_in_the_openapi_schema(town: Town) -> None:
    schema = town.cast.client(town.cast.township_admin).get(
        reverse("api-schema"), {"format": "json"}
    )
    assert "/api/stats/coverage/" in schema.json()["paths"]


def test_xlsx_export_has_a_coverage_sheet(town: Town) -> None:
    response = town.cast.client(town.cast.county_admin).get(
        reverse("stats:report-xlsx"), {"org": town.cast.township.pk, "on": "2025-12-31"}
    )
    sheet = load_workbook(io.BytesIO(response.content))["单位建立党组织情况"]
    rows = [r for r in sheet.values if r and r[0]]
    assert ("非公有制企业", 3, 2, 1, 1, 0, 0.5) in rows
    assert ("合计", 6, 5, 3, 1, 1, 0.6) in rows


def test_outsider_gets_no_coverage(town: Town) -> None:
    outsider = town.cast.client(town.cast.outsider)
    params = {"org": town.cast.county.pk}
    assert outsider.get(reverse("stats:coverage"), params).status_code == 404
    assert outsider.get(reverse("stats-coverage"), params).status_code == 404
    member = town.cast.client(town.cast.member_user)
    assert member.get(reverse("stats:coverage"), params).status_code == 403
    assert member.get(reverse("stats-coverage"), params).status_code in (400, 403)


def test_township_admin_cannot_see_the_other_township(town: Town) -> None:
    client = town.cast.client(town.cast.township_admin)
    response = client.get(reverse("stats:coverage"), {"org": town.cast.other_branch.pk})
    assert response.status_code == 404
