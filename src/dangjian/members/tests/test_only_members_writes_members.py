"""Only the `members` app writes member rows: other apps call its services.

A static check over the source (tests, migrations and test helpers aside): no module outside
`members` calls a write method on a queryset or manager of a members model, inserts rows into
one (`insert_rows`, simple-history's bulk helpers), or saves a `member` object.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

import dangjian

SRC = Path(dangjian.__file__).parent
MODELS = {m.__name__ for m in apps.get_app_config("members").get_models()}
WRITES = {
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
    "save",
    "bulk_history_create",
}
BULK_HELPERS = {"insert_rows", "bulk_create_with_history", "bulk_update_with_history"}
# The demo's `--force` wipes whole tables (a development database only) by raw deletes.
ALLOWED = {("demo/services.py", "clear_demo_data")}


def _outside_members() -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] != "members"
        and not {"tests", "migrations", "browser_tests"} & set(path.relative_to(SRC).parts)
        and path.name not in ("conftest.py", "testing.py")
    ]


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _names_a_members_model(node: ast.expr, aliases: set[str]) -> bool:
    root = _root(node)
    return isinstance(root, ast.Name) and root.id in aliases


class _Writes(ast.NodeVisitor):
    """Calls that write a members model, each with the function it sits in."""

    def __init__(self, name: str, aliases: set[str]) -> None:
        self.name, self.aliases, self.where = name, aliases, [""]
        self.found: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    def visit_For(self, node: ast.For) -> None:
        """`for model in (Member, MemberSpell): model.objects…` writes members too."""
        items = node.iter.elts if isinstance(node.iter, ast.Tuple | ast.List) else []
        if (
            isinstance(node.target, ast.Name)
            and items
            and all(isinstance(i, ast.Name) and i.id in self.aliases for i in items)
        ):
            self.aliases = self.aliases | {node.target.id}
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (self.name, self.where[-1]) not in ALLOWED and self._writes(node):
            self.found.append(f"{self.name}:{node.lineno}")
        self.generic_visit(node)

    def _writes(self, node: ast.Call) -> bool:
        call = node.func
        if isinstance(call, ast.Attribute) and call.attr in WRITES:
            receiver = call.value
            is_member = isinstance(receiver, ast.Name) and "member" in receiver.id.lower()
            return _names_a_members_model(receiver, self.aliases) or (
                call.attr == "save" and is_member
            )
        if isinstance(call, ast.Name) and call.id in BULK_HELPERS:
            return any(_names_a_members_model(arg, self.aliases) for arg in node.args)
        return False


def _member_writes(source: str, name: str) -> list[str]:
    tree = ast.parse(source)
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "dangjian.members.models"
        for alias in node.names
        if alias.name in MODELS
    }
    visitor = _Writes(name, aliases)
    visitor.visit(tree)
    return visitor.found


def test_no_module_outside_members_writes_member_rows():
    offenders = [
        hit
        for path in _outside_members()
        for hit in _member_writes(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    ]
    assert offenders == [], "write members through dangjian.members.services: " + str(offenders)


def test_the_check_finds_writes():
    sample = (
        "from dangjian.members.models import Member as M\n"
        "def f(pks):\n"
        "    M.objects.filter(pk__in=pks).update(group_id=None)\n"
        "    member = M.objects.first()\n"
        "    member.save()\n"
        "    insert_rows(M.history.model, [], [])\n"
        "    M.objects.filter(pk__in=pks).count()\n"
        "    for model in (M,):\n"
        "        model.objects.filter(pk__in=pks).update(org_path='')\n"
    )
    assert _member_writes(sample, "x.py") == ["x.py:3", "x.py:5", "x.py:6", "x.py:9"]
