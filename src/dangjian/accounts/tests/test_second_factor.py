"""两步验证 (accounts.otp): who must use it, enrolment, the code at login, recovery codes,
the 安全管理员's reset, the lockout, and API tokens. Codes are computed with django-otp's own
TOTP, as the phone's authenticator would."""

from __future__ import annotations

import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from dangjian.accounts import otp
from dangjian.audit.models import AuditEvent
from dangjian.conftest import PASSWORD
from dangjian.core.exceptions import DomainError


@pytest.fixture(autouse=True)
def required(settings: Any) -> Any:
    settings.DANGJIAN_2FA = "required"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling test turns it back on
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or `steps_ahead` periods later, within the tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(user: Any) -> tuple[TOTPDevice, list[str]]:
    device = otp.pending_device(user)
    codes = otp.confirm_enrolment(actor=user, device=device, code=code(device))
    device.refresh_from_db()
    return device, codes


def login(user: Any) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def verify(client: Client, typed: str) -> Any:
    return client.post(reverse("accounts:otp-verify"), {"code": typed})


def actions(user: Any) -> list[str]:
    return list(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))


# ---- who must use it ------------------------------------------------------------------------


def test_the_three_administrators_and_those_who_may_unmask_need_it(cast):
    for user in (cast.sysadmin, cast.secadmin, cast.auditadmin, cast.county_admin):
        assert otp.needs_second_factor(user), user.username
    for user in (cast.township_admin, cast.secretary, cast.member_user, cast.outsider):
        assert not otp.needs_second_factor(user), user.username


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditadmin", "county_admin"])
def test_an_account_that_needs_it_reaches_only_enrolment_until_enrolled(cast, who):
    client = login(getattr(cast, who))
    for url in (reverse("core:home"), reverse("accounts:password-change"), reverse("orgs:tree")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:otp-enrol") in response["Location"]
    api = client.get("/api/orgs/")
    assert api.status_code == 403 and "两步验证" in api.json()["detail"]
    assert client.get(reverse("accounts:otp-enrol")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


@pytest.mark.parametrize("who", ["township_admin", "secretary", "member_user"])
def test_an_account_that_does_not_need_it_is_not_asked(cast, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("core:home")).status_code == 200


def test_optional_mode_never_forces_anyone(cast, settings):
    settings.DANGJIAN_2FA = "optional"
    client = login(cast.sysadmin)
    assert client.get(reverse("accounts:users")).status_code == 200
    assert "两步验证" in client.get(reverse("accounts:otp")).content.decode()


def test_off_mode_neither_offers_nor_asks(cast, settings):
    enrol(cast.sysadmin)
    settings.DANGJIAN_2FA = "off"
    client = login(cast.sysadmin)
    assert client.get(reverse("accounts:users")).status_code == 200
    assert client.get(reverse("accounts:otp")).status_code == 404
    assert 'id="otp-link"' not in client.get(reverse("core:home")).content.decode()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DANGJIAN_ENV": "production"}, "required"),
        ({}, "optional"),
        ({"DANGJIAN_2FA": "off"}, "off"),
    ],
)
def test_production_requires_it_by_default(monkeypatch, env, expected):
    import importlib

    from dangjian import settings as project_settings

    monkeypatch.delenv("DANGJIAN_2FA", raising=False)
    monkeypatch.delenv("DANGJIAN_ENV", raising=False)
    monkeypatch.setenv("DANGJIAN_SECRET_KEY", "x" * 50)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        assert expected == importlib.reload(project_settings).DANGJIAN_2FA
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_a_misspelt_mode_stops_the_start(monkeypatch):
    import importlib

    from dangjian import settings as project_settings
    from dangjian.core.conf import ConfigError

    monkeypatch.setenv("DANGJIAN_2FA", "yes")
    try:
        with pytest.raises(ConfigError, match="DANGJIAN_2FA"):
            importlib.reload(project_settings)
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


# ---- enrolment ------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_in_groups_of_four(cast):
    client = login(cast.sysadmin)
    page = client.get(reverse("accounts:otp-enrol")).content.decode()
    device = TOTPDevice.objects.get(user=cast.sysadmin)
    assert "<svg" in page and not device.confirmed
    groups = otp.secret_groups(device).split()
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert otp.secret_groups(device) in page
    client.get(reverse("accounts:otp-enrol"))  # a reload keeps the same secret
    assert TOTPDevice.objects.filter(user=cast.sysadmin).count() == 1


def test_enrolment_counts_only_after_a_right_code_then_shows_ten_codes_once(cast):
    client = login(cast.sysadmin)
    client.get(reverse("accounts:otp-enrol"))
    device = TOTPDevice.objects.get(user=cast.sysadmin)
    wrong = client.post(reverse("accounts:otp-enrol"), {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and "accounts.otp_failed" in actions(cast.sysadmin)
    done = client.post(reverse("accounts:otp-enrol"), {"code": code(device)})
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(c in done.content.decode() for c in codes)
    device.refresh_from_db()
    assert device.confirmed and "accounts.otp_enrol" in actions(cast.sysadmin)
    assert client.get(reverse("accounts:users")).status_code == 200  # this session is verified
    assert client.get(reverse("accounts:otp")).context["codes_left"] == 10


def test_enrolment_ends_the_tokens_issued_without_it(cast):
    Token.objects.create(user=cast.county_admin)
    enrol(cast.county_admin)
    assert not Token.objects.filter(user=cast.county_admin).exists()


# ---- the code at login ----------------------------------------------------------------------


def test_an_enrolled_account_gives_its_code_after_the_password(cast):
    device, _ = enrol(cast.secadmin)
    client = login(cast.secadmin)
    response = client.get(reverse("accounts:grants"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    assert client.get(reverse("accounts:otp-verify")).status_code == 200
    done = client.post(
        reverse("accounts:otp-verify"),
        {"code": code(device, steps_ahead=1), "next": reverse("accounts:grants")},
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:grants")
    assert client.get(reverse("accounts:grants")).status_code == 200


def test_an_enrolled_account_is_asked_even_in_optional_mode(cast, settings):
    enrol(cast.secretary)
    settings.DANGJIAN_2FA = "optional"
    client = login(cast.secretary)
    assert client.get(reverse("core:home")).status_code == 302


def test_a_wrong_code_is_refused_and_audited(cast):
    enrol(cast.auditadmin)
    client = login(cast.auditadmin)
    response = verify(client, "123456")
    assert "验证码或恢复码不正确" in response.content.decode()
    assert "accounts.otp_failed" in actions(cast.auditadmin)
    assert client.get(reverse("audit:list")).status_code == 302


def test_a_code_is_not_accepted_twice(cast):
    device, _ = enrol(cast.auditadmin)
    typed = code(device, steps_ahead=1)
    first = login(cast.auditadmin)
    assert verify(first, typed).status_code == 302
    second = login(cast.auditadmin)
    assert "不正确" in verify(second, typed).content.decode()
    assert second.get(reverse("audit:list")).status_code == 302


def test_a_recovery_code_works_once(cast):
    _, codes = enrol(cast.sysadmin)
    first = login(cast.sysadmin)
    assert verify(first, codes[3].upper().replace("-", " ")).status_code == 302
    assert first.get(reverse("accounts:users")).status_code == 200
    used = AuditEvent.objects.get(action="accounts.otp_recovery_used")
    assert used.detail == {"remaining": 9}
    second = login(cast.sysadmin)
    assert "不正确" in verify(second, codes[3]).content.decode()
    assert otp.recovery_codes_left(cast.sysadmin) == 9


def test_wrong_codes_count_toward_the_account_lockout(cast, settings):
    enrol(cast.sysadmin)
    client = login(cast.sysadmin)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert verify(client, "000000").status_code == 200
    locked = verify(client, "000000")
    assert locked.status_code == 429 and "账号已锁定" in locked.content.decode()
    assert client.get(reverse("core:home")).status_code == 302  # logged out
    again = Client().post(reverse("accounts:login"), {"username": "sysadmin", "password": PASSWORD})
    assert again.status_code == 429
    assert AccessAttempt.objects.filter(username="sysadmin").exists()


def test_wrong_codes_make_the_device_wait(cast, settings):
    # production waits 1 s after the first failure (factor 1); a minute here, so that a slow
    # test machine cannot outwait it between two requests
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _ = enrol(cast.sysadmin)
    client = login(cast.sysadmin)
    verify(client, "000000")
    response = verify(client, code(device, steps_ahead=1))
    assert "秒后再试" in response.content.decode()
    assert client.get(reverse("accounts:users")).status_code == 302


def test_a_reset_account_enters_its_code_before_changing_its_password(cast):
    from dangjian.accounts.services import reset_password

    device, _ = enrol(cast.secretary)
    password = reset_password(actor=cast.sysadmin, user=cast.secretary)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "secretary", "password": password})
    first = client.get(reverse("core:home"))
    assert first["Location"].startswith(reverse("accounts:otp-verify"))
    assert verify(client, code(device, steps_ahead=1)).status_code == 302
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password-change")


# ---- recovery codes, reset ------------------------------------------------------------------


def test_recovery_codes_are_regenerated_after_a_code(cast):
    device, old = enrol(cast.county_admin)
    with pytest.raises(DomainError, match="验证码不正确"):
        otp.regenerate_recovery_codes(actor=cast.county_admin, code="000000")
    client = cast.client(cast.county_admin)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(
        reverse("accounts:otp-recovery-codes"), {"code": code(device, steps_ahead=1)}
    )
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert response["Cache-Control"] == "no-store"
    assert "accounts.otp_regenerate" in actions(cast.county_admin)
    with pytest.raises(DomainError):
        otp.verify_code(actor=cast.county_admin, code=old[0])
    assert otp.verify_code(actor=cast.county_admin, code=new[0])


def test_the_security_administrator_resets_a_second_factor(cast):
    enrol(cast.county_admin)
    Token.objects.create(user=cast.county_admin)
    secadmin, _ = enrol(cast.secadmin)
    client = login(cast.secadmin)
    verify(client, code(secadmin, steps_ahead=1))
    listed = client.get(reverse("accounts:otp-accounts")).content.decode()
    assert "县委组织部" in listed
    url = reverse("accounts:otp-reset", args=[cast.county_admin.pk])
    assert "确定重置" in client.post(url).content.decode()  # asks first
    assert otp.is_enrolled(cast.county_admin)
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.county_admin).exists()
    assert not StaticDevice.objects.filter(user=cast.county_admin).exists()
    assert not Token.objects.filter(user=cast.county_admin).exists()
    assert "accounts.otp_reset" in actions(cast.county_admin)
    again = login(cast.county_admin)
    assert reverse("accounts:otp-enrol") in again.get(reverse("core:home"))["Location"]


def test_only_the_security_administrator_resets_and_not_their_own(cast):
    enrol(cast.secretary)
    with pytest.raises(Exception, match="权限"):
        otp.reset_second_factor(actor=cast.sysadmin, user=cast.secretary)
    with pytest.raises(DomainError, match="自己"):
        otp.reset_second_factor(actor=cast.secadmin, user=cast.secadmin)
    assert otp.is_enrolled(cast.secretary)


def test_the_operator_resets_from_the_server(cast):
    from django.core.management import call_command

    enrol(cast.secadmin)
    call_command("reset_second_factor", "secadmin")
    assert not otp.is_enrolled(cast.secadmin)
    entry = AuditEvent.objects.get(action="accounts.otp_reset")
    assert entry.actor is None and entry.target_id == str(cast.secadmin.pk)


# ---- API tokens -----------------------------------------------------------------------------


def test_a_token_of_an_account_that_must_enrol_is_refused_until_it_has(cast):
    token = Token.objects.create(user=cast.county_admin)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = api.get("/api/orgs/")
    # DRF answers 403, not 401, because the first authentication class (the session's) sends no
    # WWW-Authenticate challenge
    assert refused.status_code == 403 and "两步验证" in refused.json()["detail"]
    enrol(cast.county_admin)
    fresh = Token.objects.create(user=cast.county_admin)  # made from a verified session
    assert Client(HTTP_AUTHORIZATION=f"Token {fresh.key}").get("/api/orgs/").status_code == 200


def test_a_token_of_an_account_that_does_not_need_it_works(cast):
    token = Token.objects.create(user=cast.secretary)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/orgs/").status_code == 200


def test_a_token_is_made_only_from_a_verified_session_and_shown_once(cast):
    enrol(cast.county_admin)
    unverified = login(cast.county_admin)
    refused = unverified.post(reverse("accounts:api-token"))
    assert refused.status_code == 302 and not Token.objects.filter(user=cast.county_admin).exists()
    device = otp.totp_device(cast.county_admin)
    assert device is not None
    verify(unverified, code(device, steps_ahead=1))
    made = unverified.post(reverse("accounts:api-token"))
    key = made.context["key"]
    assert made["Cache-Control"] == "no-store" and key in made.content.decode()
    assert Token.objects.get(user=cast.county_admin).key == key
    assert key not in unverified.get(reverse("accounts:api-token")).content.decode()
    assert "accounts.create_api_token" in actions(cast.county_admin)
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/orgs/").status_code == 200


def test_only_the_offices_that_use_the_api_make_tokens(cast):
    enrol(cast.secretary)
    client = login(cast.secretary)
    verify(client, code(otp.totp_device(cast.secretary), steps_ahead=1))
    assert client.post(reverse("accounts:api-token")).status_code == 403
