"""Pages of stages A–C: the step forms, the engine's reason on a refused step, the soft
warning's confirmation, the detail page (masked person, people, entries), the 思想汇报 and 考察
entry pages and who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.exceptions import DomainError
from dangjian.recruitment.models import Applicant, Assessment, Report
from dangjian.recruitment.services import record_assessment, record_report
from dangjian.recruitment.tests.helpers_a_c import add_people, apply, step, to_activist

pytestmark = pytest.mark.django_db
S = Applicant.Status


@pytest.fixture
def rc(cast):
    return add_people(cast)


def _url(a, name):
    return reverse("recruitment:step", kwargs={"pk": a.pk, "name": name})


def test_a_refused_step_page_shows_the_engines_reason(rc):
    a = apply(rc)
    to_activist(rc, a, dt.date(2023, 3, 1))
    a.refresh_from_db()
    page = rc.client(rc.secretary).get(_url(a, "assign_contacts"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="step-refused"' not in body and "王一" in body and "孙六" not in body
    step(rc, a, "terminate", dt.date(2023, 3, 2), reason="本人申请")
    body = rc.client(rc.secretary).get(_url(a, "apply")).content.decode()
    assert "递交入党申请书日期" in body


def test_the_candidate_page_shows_why_it_is_refused(rc, settings):
    a = apply(rc, applied=dt.date(2026, 1, 5))
    to_activist(rc, a, dt.date(2026, 2, 2))
    body = rc.client(rc.secretary).get(_url(a, "confirm_candidate")).content.decode()
    assert 'id="step-refused"' in body
    assert "培养考察期至 2027-02-01 届满" in body and "细则第十三条" in body
    detail = rc.client(rc.secretary).get(a.get_absolute_url()).content.decode()
    assert "确定为发展对象：培养考察期至 2027-02-01 届满" in detail


def test_a_committee_user_may_not_take_branch_steps(rc):
    a = apply(rc)
    client = rc.client(rc.approver)
    assert client.get(_url(a, "talk")).status_code == 403
    assert (
        client.post(_url(a, "talk"), {"version": a.version, "on": "2023-01-20"}).status_code == 403
    )
    a.refresh_from_db()
    assert a.status == S.APPLIED
    # and a branch secretary may not take the committee's 备案
    step(rc, a, "talk", dt.date(2023, 1, 20))
    step(rc, a, "confirm_activist", dt.date(2023, 3, 1), recommendation="members")
    assert rc.client(rc.secretary).get(_url(a, "file_activist")).status_code == 403
    assert rc.client(rc.approver).get(_url(a, "file_activist")).status_code == 200
    # nor record the branch's 思想汇报 and 考察
    for name in ("recruitment:report-new", "recruitment:assessment-new"):
        assert client.get(reverse(name, kwargs={"pk": a.pk})).status_code == 403


def test_the_talk_page_asks_to_confirm_a_late_talk(rc):
    a = apply(rc, applied=dt.date(2024, 1, 10))
    client = rc.client(rc.secretary)
    data = {"version": a.version, "on": "2024-02-11", "note": "书记谈话"}
    page = client.post(_url(a, "talk"), data)
    assert page.status_code == 200 and 'id="step-warnings"' in page.content.decode()
    a.refresh_from_db()
    assert a.status == S.APPLIED
    done = client.post(_url(a, "talk"), {**data, "confirmed": "1"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.status == S.TALKED


def test_step_forms_post_through_their_services(rc):
    a = apply(rc)
    client = rc.client(rc.secretary)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    day = {"version": a.version, "on": "2023-03-01"}
    r = client.post(_url(a, "confirm_activist"), {**day, "recommendation": "members"})
    assert r.status_code == 302
    a.refresh_from_db()
    day["version"] = a.version
    r = client.post(_url(a, "assign_contacts"), {**day, "contacts": [rc.full[1].pk]})
    assert r.status_code == 302
    assert list(a.contacts.all()) == [rc.full[1]]
    a.refresh_from_db()
    # a 预备党员 is not even offered
    day["version"] = a.version
    r = client.post(_url(a, "assign_contacts"), {**day, "contacts": [rc.prob.pk]})
    assert r.status_code == 200 and "培养联系人" in r.content.decode()
    # a stale version is refused, naming the record
    r = client.post(_url(a, "terminate"), {"version": a.version - 1, "on": "2023-03-02",
                                           "reason": "本人申请"})  # fmt: skip
    assert r.status_code == 200
    a.refresh_from_db()
    assert a.status == S.ACTIVIST


def test_the_terminate_page_wants_a_reason(rc):
    a = apply(rc)
    client = rc.client(rc.secretary)
    day = {"version": a.version, "on": "2023-02-01"}
    r = client.post(_url(a, "terminate"), day)
    assert r.status_code == 200 and "终止培养的原因" in r.content.decode()
    r = client.post(_url(a, "terminate"), {**day, "reason": "本人撤回申请"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == S.CLOSED
    body = client.get(a.get_absolute_url()).content.decode()
    assert "本人撤回申请" in body and 'id="step-apply"' in body  # 重新申请 is offered


def test_training_form_checks_its_dates(rc):
    from dangjian.recruitment.forms import TrainingForm

    base = {"version": 1, "organizer": "城关镇党委", "days": 3}
    form = TrainingForm({**base, "start": "2024-04-03", "end": "2024-04-01"})
    assert not form.is_valid() and "结束日期不能早于开始日期" in str(form.errors["end"])
    form = TrainingForm({**base, "start": "2024-04-01", "end": "2024-04-03", "days": 4})
    assert not form.is_valid() and "days" in form.errors
    form = TrainingForm({**base, "start": "2024-04-01", "end": "2024-04-03"})
    assert form.is_valid() and form.cleaned_data["on"] == dt.date(2024, 4, 3)


def test_detail_page_shows_the_person_masked_and_the_people_named(rc):
    a = apply(rc)
    to_activist(rc, a, dt.date(2023, 3, 1), recommendation="league")
    body = rc.client(rc.secretary).get(a.get_absolute_url()).content.decode()
    assert a.id_masked in body and "137****5678" in body and "13712345678" not in body
    assert 'id="recommendation">共青团组织推优<' in body
    assert 'id="contacts">王一<' in body
    assert 'id="add-report"' in body and 'id="add-assessment"' in body
    # steps whose rules read their form are offered (judged when the form is sent)
    assert 'id="step-assign_contacts"' in body and 'id="step-terminate"' in body


# --- 思想汇报 and 培养考察 -----------------------------------------------------------------------


@pytest.fixture
def activist(rc):
    a = apply(rc)
    to_activist(rc, a, dt.date(2023, 3, 1))  # 培养联系人: 王一 (rc.full[1])
    a.refresh_from_db()
    return a


def test_the_branch_records_reports_and_assessments(rc, activist):
    client = rc.client(rc.secretary)
    url = reverse("recruitment:report-new", kwargs={"pk": activist.pk})
    r = client.post(url, {"submitted_on": "2023-06-01", "summary": "学习党章的体会"})
    assert r.status_code == 302
    url = reverse("recruitment:assessment-new", kwargs={"pk": activist.pk})
    r = client.post(url, {"kind": "activist", "assessed_on": "2023-08-30", "opinion": "积极肯干",
                          "by": "党小组"})  # fmt: skip
    assert r.status_code == 302
    body = client.get(activist.get_absolute_url()).content.decode()
    assert "学习党章的体会" in body and "积极肯干" in body and "入党积极分子培养考察" in body


def test_an_assessment_before_the_activist_date_is_refused_naming_the_field(rc, activist):
    url = reverse("recruitment:assessment-new", kwargs={"pk": activist.pk})
    r = rc.client(rc.secretary).post(url, {"kind": "activist", "assessed_on": "2023-02-28",
                                           "opinion": "好"})  # fmt: skip
    assert r.status_code == 200 and "考察日期不能早于确定为入党积极分子日期" in r.content.decode()
    with pytest.raises(DomainError, match="尚未支部党员大会通过接收为预备党员"):
        record_assessment(actor=rc.secretary, applicant=activist, kind="probation",
                          assessed_on=dt.date(2023, 6, 1), opinion="好")  # fmt: skip
    assert not Assessment.objects.exists()


def test_a_contact_may_record_an_assessment_of_their_file_only(rc, activist):
    """The 培养联系人 (王一, with a login) records the 考察 opinion of the file they are
    contact for, not a 思想汇报, and nothing on another file."""
    from django.contrib.auth import get_user_model

    contact = rc.full[1]
    contact.user = get_user_model().objects.create_user("wangyi", password="x", first_name="王一")
    contact.save()
    client = rc.client(contact.user)
    assert client.get(activist.get_absolute_url()).status_code == 200
    url = reverse("recruitment:assessment-new", kwargs={"pk": activist.pk})
    r = client.post(url, {"kind": "activist", "assessed_on": "2023-08-30", "opinion": "进步明显"})
    assert r.status_code == 302
    entry = Assessment.objects.get()
    assert entry.recorded_by == contact.user and entry.opinion == "进步明显"
    report = reverse("recruitment:report-new", kwargs={"pk": activist.pk})
    assert client.get(report).status_code == 403
    with pytest.raises(DomainError):
        record_report(actor=contact.user, applicant=activist, submitted_on=dt.date(2023, 6, 1))
    other = apply(rc, name="吴明")
    assert (
        client.get(reverse("recruitment:assessment-new", kwargs={"pk": other.pk})).status_code
        == 404
    )
    # once replaced as contact, no more
    step(rc, activist, "assign_contacts", dt.date(2023, 9, 1), contacts=rc.full[2:3])
    assert client.get(url).status_code == 404
    assert Report.objects.count() == 0


def test_a_member_of_the_branch_who_is_no_contact_may_not_record(rc, activist):
    client = rc.client(rc.member_user)  # 李明, no VIEW_MEMBERS, no contact
    url = reverse("recruitment:assessment-new", kwargs={"pk": activist.pk})
    assert client.get(url).status_code == 404
    with pytest.raises(DomainError, match="培养联系人"):
        record_assessment(actor=rc.member_user, applicant=activist, kind="activist",
                          assessed_on=dt.date(2023, 6, 1), opinion="好")  # fmt: skip


def test_the_applicant_sees_their_reports_but_not_the_assessments(rc, activist):
    """考察意见 are the branch's and the 培养联系人's: the applicant's own login sees the file
    (its steps, the dates of their 思想汇报) without them, and no personal details block."""
    from django.contrib.auth import get_user_model

    record_report(actor=rc.secretary, applicant=activist, submitted_on=dt.date(2023, 6, 1),
                  summary="学习体会")  # fmt: skip
    record_assessment(actor=rc.secretary, applicant=activist, kind="activist",
                      assessed_on=dt.date(2023, 8, 1), opinion="需加强理论学习")  # fmt: skip
    activist.user = get_user_model().objects.create_user("zhouqing", password="x")
    activist.save(update_fields=["user"])
    body = rc.client(activist.user).get(activist.get_absolute_url()).content.decode()
    assert "学习体会" in body and 'id="contacts">王一<' in body
    assert "需加强理论学习" not in body and 'id="assessments"' not in body
    assert 'id="id-masked"' not in body and 'id="add-report"' not in body


def test_candidate_pages_post_introducers_review_and_training(rc):
    from dangjian.recruitment.tests.helpers_a_c import to_candidate

    a = to_candidate(rc, apply(rc), dt.date(2023, 3, 1), dt.date(2024, 3, 1))
    client = rc.client(rc.secretary)

    def post(name, **data):
        a.refresh_from_db()
        return client.post(_url(a, name), {"version": a.version, **data})

    pair = [rc.full[0].pk, rc.full[2].pk]
    assert post("set_introducers", on="2024-03-05", introducers=pair).status_code == 302
    r = post("political_review", on="2024-03-20", conclusion="passed", note="函调无问题")
    assert r.status_code == 302
    r = post("training", organizer="城关镇党委", start="2024-04-01", end="2024-04-02", days=2,
             hours=23)  # fmt: skip
    assert r.status_code == 200 and "不少于3天或不少于24个学时" in r.content.decode()
    r = post("training", organizer="城关镇党委", start="2024-04-01", end="2024-04-03", days=3)
    assert r.status_code == 302
    body = client.get(a.get_absolute_url()).content.decode()
    assert 'id="introducers">李明、张二<' in body
    a.refresh_from_db()
    assert a.status == S.CANDIDATE and set(a.introducers.values_list("pk", flat=True)) == set(pair)


# --- correcting entries ------------------------------------------------------------------------


def test_the_branch_corrects_a_report_on_the_version_it_opened(rc, activist):
    report = record_report(actor=rc.secretary, applicant=activist,
                           submitted_on=dt.date(2023, 6, 1), summary="体会")  # fmt: skip
    url = reverse("recruitment:report-edit", kwargs={"pk": activist.pk, "report_pk": report.pk})
    client = rc.client(rc.secretary)
    assert "体会" in client.get(url).content.decode()
    data = {"submitted_on": "2023-06-02", "summary": "学习党章体会", "version": 1}
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert (report.submitted_on, report.summary, report.version) == (
        dt.date(2023, 6, 2), "学习党章体会", 2,
    )  # fmt: skip
    stale = client.post(url, {**data, "summary": "旧页面上的修改"})  # still version 1
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    report.refresh_from_db()
    assert report.summary == "学习党章体会"
    bad = client.post(url, {**data, "version": 2, "submitted_on": "2022-01-01"})
    assert "递交日期不能早于递交入党申请书日期" in bad.content.decode()
    assert rc.client(rc.approver).get(url).status_code == 403


def test_a_contact_corrects_only_the_assessments_they_recorded(rc, activist):
    from django.contrib.auth import get_user_model

    contact = rc.full[1]
    contact.user = get_user_model().objects.create_user("wangyi", password="x", first_name="王一")
    contact.save()
    own = record_assessment(actor=contact.user, applicant=activist, kind="activist",
                            assessed_on=dt.date(2023, 8, 1), opinion="进步明显")  # fmt: skip
    branch = record_assessment(actor=rc.secretary, applicant=activist, kind="activist",
                               assessed_on=dt.date(2023, 8, 2), opinion="支部意见")  # fmt: skip
    client = rc.client(contact.user)

    def url(entry):
        return reverse("recruitment:assessment-edit",
                       kwargs={"pk": activist.pk, "entry_pk": entry.pk})  # fmt: skip

    opinion = "进步明显，理论学习仍需加强"
    data = {"kind": "activist", "assessed_on": "2023-08-01", "opinion": opinion, "version": 1}
    assert client.post(url(own), data).status_code == 302
    own.refresh_from_db()
    assert own.opinion.endswith("仍需加强") and own.version == 2
    assert client.get(url(branch)).status_code == 403
    body = client.get(activist.get_absolute_url()).content.decode()
    assert url(own) in body and url(branch) not in body
    # the branch corrects either
    assert rc.client(rc.secretary).get(url(own)).status_code == 200
