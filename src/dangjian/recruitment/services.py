"""发展党员 services: one function per step, each a `take_step` of the `RECRUITMENT` procedure,
so the engine checks the state, the ability, the version, the periods and the rules, and
writes the step, the status copy and the audit entry in one transaction.

The person is recorded once: the ID number is checked like a member's (`members.services.
check_person`), stored encrypted, and matched by its keyed hash against the files and the
register, so nobody is recorded twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.core.crypto import encrypt, lookup_hash
from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.core.models import ProcedureStep
from dangjian.core.procedures import take_step
from dangjian.members.models import Member
from dangjian.members.services import MemberData, check_person, name_keys
from dangjian.orgs.models import BRANCH_KINDS, Organization
from dangjian.recruitment import deadlines
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT

PERSON_FIELDS = (
    "gender", "ethnicity", "birth_date", "education", "person_category", "native_place",
    "work_unit_post", "phone", "league_member", "applied_on",
)  # fmt: skip


@dataclass
class ApplicantData:
    """入党申请人的基本情况, as the 入党申请书 gives it."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    person_category: str
    applied_on: dt.date
    native_place: str = ""
    work_unit_post: str = ""
    phone: str = ""
    league_member: bool = False

    def as_member_data(self) -> MemberData:
        return MemberData(
            name=self.name,
            gender=self.gender,
            ethnicity=self.ethnicity,
            birth_date=self.birth_date,
            id_number=self.id_number,
            education=self.education,
            person_category=self.person_category,
            native_place=self.native_place,
            work_unit_post=self.work_unit_post,
            phone=self.phone,
        )


def _check_branch(actor: Any, org: Organization) -> None:
    if org.kind not in BRANCH_KINDS or not org.is_active:
        raise DomainError(
            "入党申请由申请人所在单位或居住地的党支部受理，请选择党支部。", field="org"
        )
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError("所选党支部不在您的管理范围内。", field="org")


def _check_unique(number: str) -> Applicant | None:
    """The person's existing file (to reopen after 终止培养), or a refusal if they are in the
    Party or already in an open case."""
    key = lookup_hash(number)
    if Member.objects.filter(id_hash=key).exists():
        raise DomainError(
            "该公民身份号码已在党员名册中登记，不能作为入党申请人重复建档。", field="id_number"
        )
    found = Applicant.objects.filter(id_hash=key).first()
    if found is not None and found.status != Applicant.Status.CLOSED:
        raise DomainError(
            f"该公民身份号码已有发展党员档案（{found.org.name}，{Applicant.Status(found.status).label}），"
            "不能重复建档。",
            field="id_number",
        )
    return found


def register_applicant(
    *, actor: Any, org: Organization, data: ApplicantData, confirmed: bool = False
) -> Applicant:
    """递交入党申请书: the person's file and the first step, in one transaction. Someone whose
    earlier case was ended (终止培养) applies again on the same file."""
    _check_branch(actor, org)
    number = check_person(data.as_member_data())
    with transaction.atomic():
        applicant = _check_unique(number) or Applicant(id_hash=lookup_hash(number))
        pinyin, _ = name_keys(data.name)
        for field in PERSON_FIELDS:
            setattr(applicant, field, getattr(data, field))
        applicant.name = data.name.strip()
        applicant.name_pinyin = pinyin
        applicant.id_cipher = encrypt(number)
        applicant.id_masked = mask_id_number(number)
        applicant.org, applicant.org_path = org, org.path
        applicant.save()
        take(actor, applicant, "apply", on=data.applied_on, confirmed=confirmed,
             data={"org": org.name})  # fmt: skip
    return applicant


def take(
    actor: Any,
    applicant: Applicant,
    step: str,
    *,
    on: dt.date,
    version: int | None = None,
    data: Mapping[str, Any] | None = None,
    note: str = "",
    outcome: str = "",
    confirmed: bool = False,
    perform: Callable[[Applicant], dict[str, Any] | None] | None = None,
) -> ProcedureStep:
    """Take one step of the file; every step service goes through here, so the work lists'
    copy of what is due next (`deadlines.refresh`) follows every step."""
    with transaction.atomic():
        taken = take_step(
            actor=actor,
            definition=RECRUITMENT,
            record=applicant,
            step=step,
            effective_date=on,
            note=note,
            outcome=outcome,
            data=data,
            expected_version=version,
            confirmed=confirmed,
            perform=perform,
        )
        deadlines.refresh(applicant)
    return taken


# --- one service per step ----------------------------------------------------------------------
# STEPS maps a step to its service `(actor, applicant, cleaned form data, confirmed)`; the page
# and the API call it with what `forms.STEP_FORMS[step]` (and the serializer) parsed.

StepService = Callable[[Any, Applicant, Mapping[str, Any], bool], Any]


def plain(step: str) -> StepService:
    """A step that records only its date and a note (备案, 谈话, 宣誓, 归档 …)."""

    def run(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        return take(actor, applicant, step, on=d["on"], version=d["version"],
                    note=d.get("note") or "", confirmed=confirmed)  # fmt: skip

    return run


STEPS: dict[str, StepService] = {
    name: plain(name)
    for name in (
        "talk", "file_activist", "file_candidate", "pre_review", "publish", "fill_form",
        "committee_talk", "file_upper", "oath", "apply_full", "archive",
    )
}  # fmt: skip
