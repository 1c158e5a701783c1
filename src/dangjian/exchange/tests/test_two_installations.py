"""A signed packet round-trips between two installations, and a tampered, replayed or
untrusted one is refused. The second installation (远山县) is this software run as a
subprocess: `manage.py` on a fresh SQLite file, with its own VAR_DIR, field key and signing
key; this test's database is the first (清河县)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

import dangjian
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.exchange import signing
from dangjian.exchange.models import IncomingLetter
from dangjian.exchange.services import export_packet, import_packet, packet_file
from dangjian.exchange.tests.conftest import facts
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member

MANAGE = Path(dangjian.__file__).resolve().parents[2] / "manage.py"
FAR_NAME = "远山县党建工作平台"
ON = dt.date(2026, 11, 20)

SETUP = """
import datetime as dt
from pathlib import Path
from django.contrib.auth import get_user_model
from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.exchange.services import LetterFacts, export_packet, packet_file
from dangjian.orgs.models import OrgKind
from dangjian.orgs.services import create_organization
from dangjian.testing import make_member

county = create_organization(actor=None, parent=None, kind=OrgKind.COMMITTEE, bootstrap=True,
                             values={"name": "中共远山县委员会", "code": "900000000001"})
admin = get_user_model().objects.create_user("yuanshan", password="x")
grant_role(actor=None, user=admin, role=Role.ORG_ADMIN, org=county, bootstrap=True)
branch = create_organization(actor=admin, parent=county, kind=OrgKind.BRANCH,
                             values={"name": "远山镇第一党支部", "code": "900000000002"})
member = make_member(admin, branch, name="周强", birth=dt.date(1988, 2, 9),
                     join=dt.date(2025, 7, 1), full=None)
packet = export_packet(actor=admin, member=member, letter=LetterFacts(
    serial="远组字第 0031 号", from_org="中共远山县委组织部", to_org="东街社区党支部",
    issue_date=dt.date(2026, 11, 10), valid_until=dt.date(2027, 2, 9), dues_paid_to="2026年10月"))
Path("{out}").write_bytes(packet_file(packet))
"""


class Installation:
    """The other installation: its own database, directories and keys."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DANGJIAN_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        }
        self.env.update(
            DANGJIAN_VAR_DIR=str(root / "var"),
            DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
            DANGJIAN_SIGNING_KEY_FILE=str(root / "keys" / "signing-ed25519.pem"),
            DANGJIAN_INSTALLATION_NAME=FAR_NAME,
        )

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def key(self) -> str:
        out = self.manage("exchange_signing_key").stdout
        return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("公钥:"))


@pytest.fixture(scope="module")
def far(tmp_path_factory: Any) -> Installation:
    root = tmp_path_factory.mktemp("yuanshan")
    far = Installation(root)
    far.manage("migrate", "-v0")
    far.manage("shell", "-c", SETUP.replace("{out}", str(root / "zhouqiang.json")))
    return far


def test_other_installations_key_file_is_its_own_and_private(far: Installation) -> None:
    key_file = far.root / "keys" / "signing-ed25519.pem"
    far.key()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert signing.own_public_key() != far.key()


def test_packet_from_the_other_installation_imports_once_trusted(
    cast: Cast, far: Installation
) -> None:
    data = (far.root / "zhouqiang.json").read_bytes()
    with pytest.raises(DomainError, match=f"未受信任的系统「{FAR_NAME}」"):
        import_packet(actor=cast.secretary, data=data, org=cast.branch, received_on=ON)
    call_command("exchange_trust", name=FAR_NAME, public_key=far.key())
    letter = import_packet(actor=cast.secretary, data=data, org=cast.branch, received_on=ON)
    member = Member.objects.get(pk=letter.member_id)
    assert (member.name, member.org, member.category) == (
        "周强",
        cast.branch,
        MemberCategory.PROBATIONARY,
    )
    assert member.join_date == dt.date(2025, 7, 1) and member.probation_end == dt.date(2026, 7, 1)
    assert letter.outcome == IncomingLetter.Outcome.NEW and letter.issuer == FAR_NAME
    assert (letter.serial, letter.from_org) == ("远组字第 0031 号", "中共远山县委组织部")
    event = member.events.get()
    assert (event.kind, event.counterpart, event.document_no) == (
        "in",
        "中共远山县委组织部",
        "远组字第 0031 号",
    )
    with pytest.raises(DomainError, match="不能重复导入"):
        import_packet(actor=cast.secretary, data=data, org=cast.branch, received_on=ON)


def test_packet_from_here_imports_there_and_tampering_and_replay_are_refused(
    cast: Cast, far: Installation, tmp_path: Path
) -> None:
    packet = export_packet(
        actor=cast.secretary, member=cast.member, letter=facts(to_org="远山镇第一党支部")
    )
    good, bad = tmp_path / "liming.json", tmp_path / "liming-tampered.json"
    good.write_bytes(packet_file(packet))
    bad.write_bytes(packet_file(packet).replace("李明".encode(), "李鸣".encode()))
    args = ("--org", "900000000002", "--user", "yuanshan", "--date", "2026-11-25")

    untrusted = far.manage("exchange_import", str(good), *args, check=False)
    assert untrusted.returncode != 0 and "未受信任的系统「清河县党建工作平台」" in untrusted.stderr

    far.manage(
        "exchange_trust", "--name", "清河县党建工作平台", "--public-key", signing.own_public_key()
    )
    tampered = far.manage("exchange_import", str(bad), *args, check=False)
    assert tampered.returncode != 0 and "已被改动或损坏" in tampered.stderr

    imported = far.manage("exchange_import", str(good), *args)
    assert "已导入：李明" in imported.stdout and "远山镇第一党支部" in imported.stdout

    replayed = far.manage("exchange_import", str(good), *args, check=False)
    assert replayed.returncode != 0 and "不能重复导入" in replayed.stderr
