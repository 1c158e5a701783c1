"""API of 发展党员: `/api/recruitment/applicants/` (list, detail, steps, create), with the same
scope, forms, services and refusals as the pages."""

import datetime as dt

from django.contrib.auth import get_user_model

from dangjian.core.dates import today
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.testing import approver_for, file_at
from dangjian.recruitment.tests.worklist_helpers import activist, apply, months_ago
from dangjian.testing import make_id_number

URL = "/api/recruitment/applicants/"


def _names(client, **params):
    body = client.get(URL, params).json()
    return sorted(row["name"] for row in body["results"])


def _step(client, a, **body):
    return client.post(f"{URL}{a.pk}/steps/", body, content_type="application/json")


def test_a_branch_lists_only_its_files_and_an_outsider_none(cast):
    apply(cast, name="刘洋", on=today())
    apply(cast, org=cast.other_branch, name="河口", on=today())
    assert _names(cast.client(cast.secretary)) == ["刘洋"]
    assert _names(cast.client(cast.county_admin)) == ["刘洋", "河口"]
    assert _names(cast.client(cast.outsider)) == []


def test_the_list_filters_by_status_stage_organization_and_name(cast):
    apply(cast, name="刘洋", on=today())
    activist(cast, months_ago(2), name="陈晨")
    apply(cast, org=cast.other_branch, name="河口", on=today())
    client = cast.client(cast.county_admin)
    assert _names(client, status="activist") == ["陈晨"]
    assert _names(client, stage="A") == ["刘洋", "河口"]
    assert _names(client, org=cast.other_branch.pk) == ["河口"]
    assert _names(client, q="liu") == ["刘洋"]
    assert cast.client(cast.secretary).get(URL, {"org": cast.far_branch.pk}).status_code == 404


def test_the_detail_shows_the_masked_id_the_next_thing_and_the_steps_offered(cast):
    a = apply(cast, name="刘洋", on=today())
    body = cast.client(cast.secretary).get(f"{URL}{a.pk}/").json()
    assert "*" in body["id_masked"] and body["status_label"] == "入党申请人（待谈话）"
    assert body["stage"] == "A" and body["due_label"] == "派人谈话" and body["overdue"] is False
    assert [h["title"] for h in body["history"]] == ["递交入党申请书"]
    talk = next(o for o in body["actions"] if o["step"] == "talk")
    assert talk["allowed"] and talk["due"] == str(body["due_on"])


def test_a_step_is_taken_through_its_form_and_service(cast):
    a = apply(cast, on=today() - dt.timedelta(days=2))
    client = cast.client(cast.secretary)
    response = _step(client, a, step="talk", version=a.version, on=str(today()), note="已谈话")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "talked" and body["history"][-1]["note"] == "已谈话"


def test_a_stale_version_is_a_conflict(cast):
    a = apply(cast, on=today())
    response = _step(cast.client(cast.secretary), a, step="talk", version=a.version - 1)
    assert response.status_code == 409


def test_the_engine_s_refusal_comes_back_in_chinese(cast):
    a = apply(cast, on=today())
    response = _step(cast.client(cast.secretary), a, step="talk", version=a.version,
                     on=str(today() - dt.timedelta(days=1)))  # fmt: skip
    assert response.status_code == 400 and "不能早于上一步" in response.json()["detail"]
    assert Applicant.objects.get(pk=a.pk).status == "applied"


def test_a_bad_field_is_named(cast):
    a = apply(cast, on=today())
    response = _step(cast.client(cast.secretary), a, step="talk", version=a.version, on="昨天")
    assert response.status_code == 400 and "on" in response.json()


def test_a_committee_step_is_refused_to_the_branch_and_taken_by_the_committee(cast):
    a = file_at("reviewed", cast.branch, on=today(), secretary=cast.secretary)
    refused = _step(cast.client(cast.secretary), a, step="pre_review", version=a.version)
    assert refused.status_code == 403
    committee = cast.client(approver_for(cast.branch))
    failed = _step(committee, a, step="pre_review_failed", version=a.version)
    assert failed.status_code == 400 and "请填写原因" in str(failed.json())
    done = _step(committee, a, step="pre_review", version=a.version)
    assert done.status_code == 200 and done.json()["status"] == "pre_approved"


def test_an_outsider_gets_404_before_any_validation(cast):
    a = apply(cast, on=today())
    assert cast.client(cast.outsider).get(f"{URL}{a.pk}/").status_code == 404
    assert _step(cast.client(cast.outsider), a, step="nonsense").status_code == 404


def test_a_contact_sees_the_file_without_notes_or_actions(cast):
    a = activist(cast, months_ago(2), name="刘洋")
    a.contacts.add(cast.member)
    body = cast.client(cast.member_user).get(f"{URL}{a.pk}/").json()
    assert body["contacts"] == [{"id": cast.member.pk, "name": "李明"}]
    assert body["actions"] == [] and all(h["note"] == "" for h in body["history"])
    assert _names(cast.client(cast.member_user)) == ["刘洋"]


def test_an_applicant_sees_only_their_own_file(cast):
    user = get_user_model().objects.create_user("liuyang", password="x")
    mine = apply(cast, name="刘洋", on=today())
    other = apply(cast, name="别人", on=today())
    Applicant.objects.filter(pk=mine.pk).update(user=user)
    client = cast.client(user)
    assert _names(client) == ["刘洋"]
    assert client.get(f"{URL}{other.pk}/").status_code == 404


def test_an_application_is_registered_by_api(cast):
    born = dt.date(2000, 1, 5)
    body = {
        "org": cast.branch.pk, "name": "新申请", "gender": "M", "ethnicity": "01",
        "birth_date": str(born), "id_number": make_id_number(born), "education": "ba",
        "person_category": "worker", "applied_on": str(today()),
    }  # fmt: skip
    client = cast.client(cast.secretary)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["due_label"] == "派人谈话"
    far = {**body, "org": cast.far_branch.pk, "id_number": make_id_number(born)}
    assert client.post(URL, far, content_type="application/json").status_code == 404
    young = {**body, "birth_date": str(today() - dt.timedelta(days=365 * 17)),
             "id_number": make_id_number(today() - dt.timedelta(days=365 * 17))}  # fmt: skip
    refused = client.post(URL, young, content_type="application/json")
    assert refused.status_code == 400 and "未满" in refused.json()["detail"]


def test_the_committee_cannot_register_an_application(cast):
    born = dt.date(2000, 1, 5)
    body = {
        "org": cast.branch.pk, "name": "新申请", "gender": "M", "ethnicity": "01",
        "birth_date": str(born), "id_number": make_id_number(born), "education": "ba",
        "person_category": "worker", "applied_on": str(today()),
    }  # fmt: skip
    client = cast.client(approver_for(cast.branch))
    assert client.post(URL, body, content_type="application/json").status_code == 403
