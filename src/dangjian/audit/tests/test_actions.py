"""Audit actions are declared in code: a new one needs no migration, old names still read."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.accounts.services import reset_password
from dangjian.audit.actions import register_action
from dangjian.audit.display import describe
from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit
from dangjian.core.actors import Actor
from dangjian.core.masking import mask_id_number
from dangjian.members.services import update_member
from dangjian.testing import make_id_number

# Declared here, as an app declares its actions in its own module.
SAMPLE = register_action("tests.sample_step", "测试用的操作")


def test_a_new_action_is_offered_by_the_filter_and_shown_in_chinese(cast):
    record_audit(SAMPLE, actor=cast.secretary, target=cast.branch)
    record_audit("members.record_event", actor=cast.secretary, target=cast.branch)
    client = cast.client(cast.auditadmin)
    body = client.get(reverse("audit:list")).content.decode()
    assert '<option value="tests.sample_step">测试用的操作</option>' in body
    filtered = client.get(reverse("audit:list"), {"action": "tests.sample_step"})
    rows = filtered.context["rows"]
    assert [e.action for e, _, _ in rows] == ["tests.sample_step"]
    assert ">测试用的操作</span>" in filtered.content.decode()


def test_declaring_an_action_needs_no_migration(db):
    call_command("makemigrations", "audit", "--check", "--dry-run", verbosity=0)


def test_entries_under_old_names_still_read_in_chinese(cast):
    AuditEvent.objects.create(action="event", actor_name="county")
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert ">党籍变动</span>" in body
    assert '<option value="event">党籍变动</option>' in body


def test_an_undeclared_action_is_a_programming_error(cast):
    with pytest.raises(LookupError):
        record_audit("members.no_such_service", actor=cast.secretary)


def test_a_service_called_with_an_actor_records_its_address(cast):
    reset_password(actor=Actor(cast.sysadmin, "10.1.2.3"), user=cast.secretary)
    entry = AuditEvent.objects.get(action="accounts.reset_password")
    assert entry.actor == cast.sysadmin and entry.ip == "10.1.2.3"


def test_a_page_passes_the_request_address_to_the_service(cast):
    url = reverse("members:reveal", args=[cast.member.pk])
    cast.client(cast.county_admin).post(url, REMOTE_ADDR="10.9.8.7")
    assert AuditEvent.objects.get(action="members.reveal_sensitive").ip == "10.9.8.7"


def test_an_update_records_before_and_after_with_personal_data_masked(cast):
    new_id = make_id_number(dt.date(1985, 3, 14), "M", area="110101")
    update_member(
        actor=cast.county_admin,
        member=cast.member,
        expected_version=cast.member.version,
        changes={"phone": "13812345678", "work_unit_post": "社区主任"},
        id_number=new_id,
    )
    entry = AuditEvent.objects.get(action="members.update_member")
    assert entry.detail["before"]["phone"] == "139****1111"
    assert entry.detail["after"] == {
        "phone": "138****5678",
        "work_unit_post": "社区主任",
        "id_number": mask_id_number(new_id),
    }
    stored = json.dumps(entry.detail)
    assert "13812345678" not in stored and "13900001111" not in stored and new_id not in stored
    assert ("联系电话", "139****1111 → 138****5678") in describe(entry)
