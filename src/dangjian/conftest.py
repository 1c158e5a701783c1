"""The cast shared by all tests (STYLE.md §8).

Two counties. In 清河县: a county admin (whole county, may unmask), a township admin
(城关镇, may not unmask), the secretary of 东街社区党支部 (a branch of 城关镇), and 李明, a
member of that branch with his own login. In 远山县: an outsider, admin of another county.
Plus the three administrators (system, security, audit) who see no member data.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, override_settings

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import create_organization
from dangjian.testing import make_member

PASSWORD = "Cast@2026pw"


@dataclass
class Cast:
    county: Organization
    township: Organization
    branch: Organization
    other_branch: Organization  # in the same county, another township
    far_county: Organization
    far_branch: Organization
    county_admin: Any
    township_admin: Any
    secretary: Any
    member_user: Any
    outsider: Any
    sysadmin: Any
    secadmin: Any
    auditadmin: Any
    member: Member  # 李明, in branch, linked to member_user
    neighbour: Member  # 王芳, in other_branch
    far_member: Member  # 赵强, in far_branch

    def client(self, user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c


def _user(username: str, full_name: str = "") -> Any:
    return get_user_model().objects.create_user(username, password=PASSWORD, first_name=full_name)


def _org(actor: Any, parent: Organization | None, kind: str, name: str, code: str) -> Organization:
    return create_organization(
        actor=actor,
        parent=parent,
        kind=kind,
        bootstrap=parent is None,
        values={"name": name, "code": code},
    )


def build_cast() -> Cast:
    county_admin, outsider = _user("county", "县委组织部"), _user("outsider", "远山县组织部")
    county = _org(None, None, OrgKind.COMMITTEE, "中共清河县委员会", "100000000001")
    far_county = _org(None, None, OrgKind.COMMITTEE, "中共远山县委员会", "200000000001")
    grant_role(
        actor=None,
        user=county_admin,
        role=Role.ORG_ADMIN,
        org=county,
        can_view_sensitive=True,
        bootstrap=True,
    )
    grant_role(actor=None, user=outsider, role=Role.ORG_ADMIN, org=far_county, bootstrap=True)
    township = _org(county_admin, county, OrgKind.COMMITTEE, "中共城关镇委员会", "100000000002")
    branch = _org(county_admin, township, OrgKind.BRANCH, "东街社区党支部", "100000000003")
    town2 = _org(county_admin, county, OrgKind.COMMITTEE, "中共河口镇委员会", "100000000004")
    other_branch = _org(county_admin, town2, OrgKind.BRANCH, "河口村党支部", "100000000005")
    far_branch = _org(outsider, far_county, OrgKind.BRANCH, "远山村党支部", "200000000002")
    township_admin, secretary = _user("township", "城关镇组织委员"), _user("secretary", "东街书记")
    member_user = _user("liming", "李明")
    grant_role(actor=None, user=township_admin, role=Role.ORG_ADMIN, org=township, bootstrap=True)
    grant_role(actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=branch, bootstrap=True)
    admins = {}
    for role, name in (
        (Role.SYSTEM_ADMIN, "sysadmin"),
        (Role.SECURITY_ADMIN, "secadmin"),
        (Role.AUDIT_ADMIN, "auditadmin"),
    ):
        admins[name] = _user(name)
        grant_role(actor=None, user=admins[name], role=role, bootstrap=True)
    member = make_member(county_admin, branch, name="李明", phone="13900001111")
    member.user = member_user
    member.save()
    neighbour = make_member(
        county_admin,
        other_branch,
        name="王芳",
        gender="F",
        birth=dt.date(1990, 5, 2),
        join=dt.date(2015, 6, 1),
        full=dt.date(2016, 6, 1),
    )
    far_member = make_member(outsider, far_branch, name="赵强")
    return Cast(
        county,
        township,
        branch,
        other_branch,
        far_county,
        far_branch,
        county_admin,
        township_admin,
        secretary,
        member_user,
        outsider,
        admins["sysadmin"],
        admins["secadmin"],
        admins["auditadmin"],
        member,
        neighbour,
        far_member,
    )


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _transactional(item: pytest.Item) -> bool:
    """Whether the test runs on a real transaction (and flushes every table at its end)."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
        or "django_db_serialized_rollback" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    )


def _module(item: pytest.Item) -> Any:
    return getattr(item, "module", None)


class SharedCast:
    """The cast built once for a run of consecutive tests of one module, the way Django's
    `TestCase.setUpTestData` does it: built inside an outer transaction that stays open while
    the tests run, each test in its own savepoint rolled back at its end (pytest-django's `db`),
    and each test given its own deep copy of the Python objects. So every test starts from
    exactly the rows a fresh `build_cast()` leaves, without paying ~80 queries for them.

    The outer transaction is rolled back before any test that must not see the cast: one in
    another module, one that does not ask for the cast, one on a real transaction."""

    def __init__(self) -> None:
        self.atomic: Any = None
        self.cast: Cast | None = None
        self.module: Any = None
        self.blocker: Any = None

    def get(self, item: pytest.Item, blocker: Any) -> Cast | None:
        """The shared cast for this test, or None when it must build its own."""
        if self.atomic is not None and self.module is not _module(item):
            self.close()
        if self.atomic is None:
            if connection.in_atomic_block:  # the test's own transaction came first
                return None
            with blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                self.atomic._from_testcase = True  # like TestCase's: durable blocks allowed
                self.blocker, self.module = blocker, _module(item)
                try:
                    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                        self.cast = build_cast()
                except BaseException:
                    self.close()
                    raise
        return copy.deepcopy(self.cast)

    def close(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.cast, self.module = self.atomic, None, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


shared_cast = SharedCast()


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences",
               "django_db_serialized_rollback"}  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every database test may also use the read replica's alias (a mirror of the test
    database, settings.py): reports read it whenever the primary is not inside a transaction,
    which in the suite means the tests on a real transaction (core.replica)."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        databases = kwargs.get("databases") or ["default"]
        if databases == "__all__" or "replica" in databases:
            continue
        kwargs["databases"] = [*databases, "replica"]
        args = marker.args if marker is not None else ()
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any) -> Iterator[None]:
    """pytest-django's, closing the replica mirror's connection before the test database is
    dropped (PostgreSQL refuses to drop a database someone is connected to)."""
    yield
    from django.db import connections

    if "replica" in connections:
        connections["replica"].close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Roll the shared cast back before a test that must not see it (see SharedCast)."""
    if shared_cast.atomic is not None and (
        _module(item) is not shared_cast.module
        or "cast" not in getattr(item, "fixturenames", ())
        or _transactional(item)
    ):
        shared_cast.close()


@pytest.fixture(scope="session")
def _shared_cast_session(django_db_setup: Any) -> Iterator[SharedCast]:
    """Rolls the last shared cast back before the test databases are dropped."""
    yield shared_cast
    shared_cast.close()


@pytest.fixture
def _cast_template(
    request: pytest.FixtureRequest, _shared_cast_session: SharedCast, django_db_blocker: Any
) -> Cast | None:
    # Requested by `cast` before `db`, so the outer transaction is opened before the test's.
    if _transactional(request.node):
        return None
    return _shared_cast_session.get(request.node, django_db_blocker)


@pytest.fixture(autouse=True)
def _django_db_marker(request: pytest.FixtureRequest) -> None:
    """pytest-django's own (the `django_db` marker opens the test's database), except for a
    test that asks for `cast` and does not run on a real transaction: its database comes
    through `cast` (which asks for `db`, configured by the same marker) after the shared
    cast's outer transaction. Opened here first, it would leave no room below it for the
    shared cast, and every test of a module marked `django_db` built a cast of its own."""
    if request.node.get_closest_marker("django_db") is None:
        return
    if "cast" in request.fixturenames and not _transactional(request.node):
        return
    request.getfixturevalue("_django_db_helper")


@pytest.fixture
def cast(_cast_template: Cast | None, db: Any) -> Cast:
    return _cast_template if _cast_template is not None else build_cast()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that need it (test_password_policy) restore it."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.DANGJIAN_JOBS_INLINE = True  # roster imports and exports finish within the request
    settings.TASKS = settings.TASKS_INLINE  # background tasks run at once (core.tasks)


@pytest.fixture(autouse=True)
def _no_column_store_across_tests() -> Any:
    """A process's statistics column store describes one test's database: never the next's."""
    from dangjian.stats import columnar

    columnar.reset()
    yield
    columnar.reset()


def set_audit_lock(locked: bool) -> None:
    """Open or close the database's audit lock (see audit migration 0002)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_unlock")
        if not locked:
            cursor.execute("INSERT INTO audit_unlock (reason) VALUES ('test suite flush')")


@pytest.fixture(autouse=True)
def _audit_flushable(request: pytest.FixtureRequest) -> Any:
    """Tests on a real transaction end by emptying every table, the audit log included: unlock
    it just before that flush (this teardown runs before the database fixture's)."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        set_audit_lock(False)
