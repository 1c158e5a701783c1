"""A procedure step that needs documents asks the documents app (the hook core cannot import)."""

import pytest
from django.db import models

from dangjian.accounts.abilities import Ability
from dangjian.audit.actions import register_action
from dangjian.core.procedures import START, Procedure, Step, StepRefused, Who, take_step
from dangjian.documents.services import upload_document
from dangjian.documents.tests.conftest import PDF
from dangjian.members.models import Member

FILED = register_action("tests.file_application", "测试归档")


class Filing(models.TextChoices):
    FILED = "filed", "已归档"


FILING = Procedure(
    name="test_filing",
    label="归档（测试）",
    model=Member,
    states=Filing,
    audit_action=FILED.name,
    steps=(
        Step("file", "归档", (START,), Filing.FILED,
             who=Who(Ability.EDIT_MEMBERS, node=lambda m: m.org), documents=("入党志愿书",)),
    ),
)  # fmt: skip


def test_a_step_is_refused_until_its_document_is_attached_to_the_record(cast):
    file = dict(actor=cast.secretary, definition=FILING, record=cast.member, step="file")
    with pytest.raises(StepRefused, match="入党志愿书"):
        take_step(**file)
    upload_document(actor=cast.county_admin, target=cast.neighbour, kind="入党志愿书",
                    name="志愿书.pdf", data=PDF)  # fmt: skip
    with pytest.raises(StepRefused, match="入党志愿书"):  # another member's does not count
        take_step(**file)
    upload_document(actor=cast.secretary, target=cast.member, kind="入党志愿书",
                    name="志愿书.pdf", data=PDF)  # fmt: skip
    assert take_step(**file).to_state == Filing.FILED
