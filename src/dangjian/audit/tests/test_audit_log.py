import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.urls import reverse

from dangjian.audit.models import AuditEvent, AuditLogIsAppendOnly
from dangjian.conftest import PASSWORD, set_audit_lock


def test_member_edit_is_audited_with_before_and_after(cast):
    client = cast.client(cast.secretary)
    form = client.get(reverse("members:edit", args=[cast.member.pk])).context["form"]
    data = {**form.initial, "work_unit_post": "东街社区居委会主任", "birth_date": "1985-03-14"}
    response = client.post(reverse("members:edit", args=[cast.member.pk]), data)
    assert response.status_code == 302
    entry = AuditEvent.objects.get(action="members.update_member")
    assert entry.actor == cast.secretary
    assert entry.detail == {
        "before": {"work_unit_post": ""},
        "after": {"work_unit_post": "东街社区居委会主任"},
    }
    record = cast.member.history.first()
    assert record.work_unit_post == "东街社区居委会主任" and record.history_user == cast.secretary


def test_concurrent_member_edit_is_detected(cast):
    client = cast.client(cast.secretary)
    form = client.get(reverse("members:edit", args=[cast.member.pk])).context["form"]
    data = {**form.initial, "birth_date": "1985-03-14"}
    assert (
        client.post(
            reverse("members:edit", args=[cast.member.pk]), {**data, "native_place": "山东济南"}
        ).status_code
        == 302
    )
    second = client.post(
        reverse("members:edit", args=[cast.member.pk]), {**data, "native_place": "河北保定"}
    )
    assert "已被他人修改" in second.content.decode()
    cast.member.refresh_from_db()
    assert cast.member.native_place == "山东济南"


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(cast):
    entry = AuditEvent.objects.create(action="login", actor_name="x")
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update(actor_name="y")


@pytest.mark.django_db(transaction=True)
def test_database_refuses_changes_to_the_audit_table():
    set_audit_lock(True)
    AuditEvent.objects.create(action="login", actor_name="x")
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'forged'")
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get().actor_name == "x"


def test_logins_and_failed_logins_are_audited(client, cast):
    client.post(reverse("accounts:login"), {"username": "secretary", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "secretary", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
    assert ("auth.login_failed", "secretary") in actions
    assert ("auth.login", "secretary") in actions


def test_account_is_locked_after_five_failures(client, cast):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "secretary", "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": "secretary", "password": PASSWORD}
    )
    assert "账号已锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()
