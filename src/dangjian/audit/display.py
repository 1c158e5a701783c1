"""审计详情 in words: each action's detail as labelled Chinese fields, never a raw dict.

`describe(event)` gives (label, value) pairs. The registry below says, per detail key, what the
key is called and how its codes read; diffs (修改) are shown field by field with the target
model's verbose names. Keys not listed fall back to the target model's field names, then to
the key itself, so a new detail key shows up readable rather than hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.audit.models import AuditEvent
from dangjian.core.display import EMPTY, display_object, field_label, field_value, plain_value

Pairs = list[tuple[str, str]]
USER_LABEL = get_user_model()._meta.label_lower

LABELS: dict[str, str] = {
    "op": "操作",
    "step": "步骤",
    "org": "党组织",
    "parent": "上级组织",
    "kind": "类别",
    "date": "生效日期",
    "on": "名册日期",
    "from": "原上级组织",
    "to": "新上级组织",
    "into": "并入组织",
    "reason": "原因",
    "role": "角色",
    "sensitive": "可查看完整身份证号和电话",
    "file": "文件",
    "full": "含完整身份证号和电话",
    "rows": "行数",
    "filters": "筛选条件",
    "form": "表格",
    "added": "新增党员",
    "updated": "更新党员",
    "converted": "转为正式党员",
    "removed": "删除党员",
    "fields": "查看内容",
    "group": "党小组",
    "party_probation": "留党察看",
    "void": "作废的变动",
    "members": "党员数",
    "organizations": "组织数",
    "seed": "随机种子",
    "user": "登录账号",
    "candidates": "候选人数",
    "entitled": "应到人数",
    "present": "实到人数",
    "issued": "发出选票",
    "returned": "收回选票",
    "digest": "选票校验值",
    "valid": "有效票",
    "invalid": "无效票",
    "elected": "当选",
    "passed": "是否通过",
    "ok": "复核一致",
    "problems": "发现的问题",
    "id_number": "公民身份号码",
    # procedure steps (core.procedures)
    "procedure": "程序",
    "state": "状态",
    "note": "备注",
    "warnings": "提示",
    "is_active": "账号启用",
    "size": "大小（字节）",
    "material": "材料名称",
    "expires_on": "保存期满日期",
    "accounts": "开通的账号",
    "remaining": "剩余恢复码",
    "enrolled": "原已启用两步验证",
    "replaced": "替换原有令牌",
}

WORDS: dict[str, dict[Any, str]] = {
    "op": {
        "create": "新建账号",
        "enable": "启用账号",
        "disable": "停用账号",
        "password_change": "修改密码",
        "password_reset": "重置密码",
        "link_member": "关联党员档案",
        "unlink_member": "解除关联党员档案",
        "upload_document": "上传档案材料",
        "download_document": "下载档案材料",
        "purge_document": "删除保存期满的档案材料",
        "create_member_accounts": "为党员开通账号",
        "seed_demo": "载入演示数据",
    },
    "step": {
        "upload": "上传",
        "apply": "确认导入",
        "undo": "撤销导入",
        "create": "新建",
        "reorder": "调整候选人顺序",
        "open": "开始投票",
        "present": "登记实到人数",
        "cast": "投票",
        "paper": "录入纸质选票",
        "counts": "登记发出和收回的选票",
        "close": "结束投票并计票",
        "recount": "复核计票",
        "print": "打印计票结果",
        # 两步验证 (accounts.otp): where a wrong code was typed
        "enrol": "启用两步验证",
        "login": "登录",
        "regenerate": "重新生成恢复码",
    },
    "role": dict(Role.choices),
    "fields": {"id_number": "公民身份号码", "phone": "联系电话", "party_probation": "留党察看"},
    "party_probation": {"recorded": "登记", "ended": "期满或恢复权利"},
}

# Which model a detail's `kind` belongs to, by the entry's target (组织类别, 变动类型, 表决类型).
KIND_MODELS = {
    "orgs.organization": ("orgs", "Organization", "kind"),
    "members.member": ("members", "MemberEvent", "kind"),
    "votes.poll": ("votes", "Poll", "kind"),
}


def _kind(event: AuditEvent, value: Any) -> str:
    where = KIND_MODELS.get(event.target_type)
    if where is None:
        return plain_value(value)
    return field_value(apps.get_model(where[0], where[1]), where[2], value)


def _elected(event: AuditEvent, value: Any) -> str:
    candidates = apps.get_model("votes", "Candidate")  # by name: votes sits above audit
    names = dict(candidates.objects.filter(pk__in=value or []).values_list("pk", "name"))
    return "、".join(names.get(pk, "（已删除）") for pk in value or []) or EMPTY


def _user(event: AuditEvent, value: Any) -> str:
    found = get_user_model().objects.filter(pk=value).first()
    return display_object(found) if found is not None else EMPTY


VALUE_RULES: dict[str, Callable[[AuditEvent, Any], str]] = {
    "kind": _kind,
    "elected": _elected,
    "user": _user,
}


def register_value_rule(key: str, rule: Callable[[AuditEvent, Any], str]) -> None:
    """An app above audit describes one of its detail keys (members: an export's filters)."""
    VALUE_RULES[key] = rule


def _value(event: AuditEvent, key: str, value: Any) -> str:
    if key in VALUE_RULES:
        return VALUE_RULES[key](event, value)
    words = WORDS.get(key)
    if words is not None:
        if isinstance(value, list):
            return "、".join(words.get(v, plain_value(v)) for v in value) or EMPTY
        if value in words:
            return words[value]
    if isinstance(value, dict):
        return "；".join(f"{_label(event, k)}：{_value(event, k, v)}" for k, v in value.items())
    return plain_value(value)


def _target_model(event: AuditEvent) -> Any:
    try:
        return apps.get_model(event.target_type) if event.target_type else None
    except (LookupError, ValueError):
        return None


def _label(event: AuditEvent, key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    model = _target_model(event)
    return field_label(model, key) if model is not None else key


def _diff(event: AuditEvent) -> Pairs:
    """修改: {field: [before, after]} → 书记：张三 → 李四."""
    model = _target_model(event)
    pairs: Pairs = []
    for key, change in event.detail.items():
        if isinstance(change, list) and len(change) == 2:
            before, after = (
                (field_value(model, key, v) if model is not None else plain_value(v))
                for v in change
            )
            pairs.append((_label(event, key), f"{before} → {after}"))
        else:
            pairs.append((_label(event, key), _value(event, key, change)))
    return pairs


def _before_after(event: AuditEvent) -> Pairs:
    """{before, after} (audit.services.changes) → one pair per changed field: 书记：张三 → 李四."""
    model = _target_model(event)
    before, after = event.detail["before"], event.detail["after"]
    pairs: Pairs = []
    for key in after:
        shown = (
            field_value(model, key, v) if model is not None else plain_value(v)
            for v in (before.get(key), after[key])
        )
        pairs.append((_label(event, key), " → ".join(shown)))
    rest = {k: v for k, v in event.detail.items() if k not in ("before", "after")}
    return pairs + [(_label(event, k), _value(event, k, v)) for k, v in rest.items()]


def _is_before_after(detail: dict[str, Any]) -> bool:
    return isinstance(detail.get("before"), dict) and isinstance(detail.get("after"), dict)


def _fields(event: AuditEvent) -> Pairs:
    return [(_label(event, k), _value(event, k, v)) for k, v in event.detail.items()]


# Legacy action → how its detail reads (older 修改 entries hold {field: [before, after]}).
# Every other entry reads as {before, after} where it has them, else field by field.
DESCRIBERS: dict[str, Callable[[AuditEvent], Pairs]] = {"update": _diff}


def describe(event: AuditEvent) -> Pairs:
    """The entry's detail as (label, value) pairs in Chinese."""
    if not event.detail:
        return []
    if not isinstance(event.detail, dict):
        return [("详情", plain_value(event.detail))]
    if _is_before_after(event.detail):
        return _before_after(event)
    return DESCRIBERS.get(event.action, _fields)(event)


def describe_all(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, Pairs, str]]:
    """Each entry with its detail in words and its target (an account by its person's name)."""
    events = list(events)
    user_ids = {e.target_id for e in events if e.target_type == USER_LABEL and e.target_id}
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .select_related("member")
        .prefetch_related("role_grants")
    )
    names = {str(u.pk): display_object(u) for u in users}
    return [(e, describe(e), _target(e, names)) for e in events]


def _target(event: AuditEvent, user_names: dict[str, str]) -> str:
    if event.target_type == USER_LABEL:
        return user_names.get(event.target_id, "（已删除的账号）")
    return event.target_repr or EMPTY
