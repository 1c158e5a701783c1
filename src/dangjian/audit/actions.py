"""Audit actions (审计操作): each app declares the actions it records, where it acts.

An action is named after the service that records it (`members.record_event`) and carries the
Chinese label the audit page shows. Declaring one needs no migration: the `action` column has no
choices. The names used before this registry (`update`, `event`, …) stay declared as legacy
actions, so entries recorded under them still read in words and can still be filtered.

    RECORD_EVENT = register_action("members.record_event", "登记党籍变动")
    record_audit(RECORD_EVENT, actor=actor, target=member, detail=...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ImproperlyConfigured

Tone = Literal["", "alert", "sensitive"]
NAME_MAX_LENGTH = 60  # AuditEvent.action's max_length


@dataclass(frozen=True)
class AuditAction:
    """One kind of audit entry: its stored name, its label and how loudly the log shows it
    (`alert` for failed logins and lockouts, `sensitive` for views and exports of personal data)."""

    name: str
    label: str
    tone: Tone = ""
    legacy: bool = False

    def __str__(self) -> str:
        return self.name


_ACTIONS: dict[str, AuditAction] = {}


def register_action(name: str, label: str, *, tone: Tone = "", legacy: bool = False) -> AuditAction:
    """Declare an action; declaring the same action again (a module re-imported) is harmless."""
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ImproperlyConfigured(f"Audit action name {name!r}: 1–{NAME_MAX_LENGTH} characters")
    action = AuditAction(name=name, label=label, tone=tone, legacy=legacy)
    known = _ACTIONS.setdefault(name, action)
    if known != action:
        raise ImproperlyConfigured(f"Audit action {name!r} is declared twice, differently")
    return action


def get_action(name: str | AuditAction) -> AuditAction:
    """The declared action; an undeclared name is a programming error (a typo in a service)."""
    key = str(name)
    try:
        return _ACTIONS[key]
    except KeyError:
        raise LookupError(f"Audit action {key!r} is not declared (audit.actions)") from None


def action_label(name: str) -> str:
    """The action's Chinese label; a name nobody declares any more shows as itself."""
    found = _ACTIONS.get(name)
    return found.label if found is not None else name


def action_tone(name: str) -> Tone:
    found = _ACTIONS.get(name)
    return found.tone if found is not None else ""


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Filter choices: current actions by label, then the legacy names of older entries."""
    current = sorted((a for a in _ACTIONS.values() if not a.legacy), key=lambda a: a.name)
    legacy = sorted((a for a in _ACTIONS.values() if a.legacy), key=lambda a: a.name)
    groups = [("操作", [(a.name, a.label) for a in current])]
    if legacy:
        groups.append(("早期记录", [(a.name, a.label) for a in legacy]))
    return groups


# Names stored before actions were named after their services; entries keep them (the log is
# append-only), so they stay declared with their old labels.
for _name, _label, _tone in (
    ("login", "登录", ""),
    ("login_failed", "登录失败", "alert"),
    ("logout", "退出", ""),
    ("locked_out", "账号锁定", "alert"),
    ("view_sensitive", "查看敏感信息", "sensitive"),
    ("export", "导出", "sensitive"),
    ("create", "新增", ""),
    ("update", "修改", ""),
    ("event", "党籍变动", ""),
    ("move", "移动", ""),
    ("merge", "合并", ""),
    ("dissolve", "撤销", ""),
    ("grant", "授权", ""),
    ("revoke", "撤销授权", ""),
    ("account", "账号管理", ""),
    ("import", "导入", ""),
    ("vote", "表决与选举", ""),
    ("ballot", "投票", ""),
):
    register_action(_name, _label, tone=_tone, legacy=True)  # type: ignore[arg-type]
