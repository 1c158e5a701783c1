"""API plumbing shared by all apps: domain errors become 400/409 with the Chinese message."""

from __future__ import annotations

from typing import Any

from django.db import DataError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler

from dangjian.core.dates import today
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import RuleValue
from dangjian.core.selectors import group_of, in_force_on, plain_value, rule_state


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if isinstance(exc, ConcurrentEditError) else 400
        return Response({"detail": exc.message, "field": exc.field}, status=code)
    if isinstance(exc, ParseError):
        # DRF's text quotes the parser's English error; say what is wrong in Chinese.
        return Response({"detail": "请求内容无法解析，请检查提交的数据格式。"}, status=400)
    if isinstance(exc, OverflowError | DataError):
        # A number beyond what the database stores (e.g. an id of 2**64): the request's fault.
        return Response({"detail": "请求中的数值超出允许范围。", "field": None}, status=400)
    return exception_handler(exc, context)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request: Request) -> Response:
    """Any /api/ path no route matches (e.g. /api/orgs/0.5/): the API's JSON 404."""
    return Response({"detail": "接口地址不存在。"}, status=status.HTTP_404_NOT_FOUND)


ERROR_SCHEMA = {
    "type": "object",
    "description": "拒绝的原因（中文）；field 为相关字段名，没有时为 null",
    "properties": {
        "detail": {"type": "string"},
        "field": {"type": "string", "nullable": True},
    },
    "required": ["detail"],
}
VALIDATION_SCHEMA = {
    "description": "按字段列出的校验错误：字段名 → 错误信息列表（嵌套字段为对象）",
    "type": "object",
    "additionalProperties": {},
}
ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("请求有误：校验失败或业务规则拒绝", {"anyOf": [ERROR_SCHEMA, VALIDATION_SCHEMA]}),
    "401": ("未登录或令牌无效", ERROR_SCHEMA),
    "403": ("没有该操作的权限", ERROR_SCHEMA),
    "404": ("对象不存在或不在您的管理范围内（或页码超出范围）", ERROR_SCHEMA),
    "409": ("他人已修改该记录（版本冲突），请重新读取后再提交", ERROR_SCHEMA),
    "415": ("请求体的类型不受支持或无法解析", ERROR_SCHEMA),
}
WRITES = {"post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the errors it can answer
    (api_exception_handler's body for 400/409, DRF's for 401/403/404/415), unless it says so,
    and that an optional query parameter left empty (?on=&page=) counts as not given.

    Generic on purpose: an endpoint added later is documented the same way.
    """
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in WRITES | {"get", "head"}:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True  # ?on= means "not given", as on pages
            for code, (description, schema) in ERRORS.items():
                if (code == "409" and method not in WRITES) or (
                    code == "415" and "requestBody" not in operation
                ):
                    continue
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result


class StepOptionSerializer(serializers.Serializer):
    """A step the procedure engine offers on a record (core.procedures.actions_for): shared by
    every work system's API so the schema has one StepOption component."""

    step = serializers.CharField(help_text="步骤名")
    title = serializers.CharField(help_text="步骤名称")
    allowed = serializers.BooleanField(help_text="现在能否办理")
    reason = serializers.CharField(help_text="不能办理的原因")


class RuleValueSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """规则参数: one value of one rule, with its group, its state on today's date and its basis."""

    group = serializers.SerializerMethodField(help_text="分组（发展党员、会议、流动党员……）")
    value = serializers.SerializerMethodField(
        method_name="plain_value", help_text="取值，按规定写法（如 12、0.3333）"
    )
    state = serializers.SerializerMethodField(help_text="现行 / 已被取代 / 尚未生效（按今天）")
    basis = serializers.ChoiceField(
        choices=RuleValue.Basis.choices,
        read_only=True,
        help_text="依据性质：national 全国性党内法规或法律；local 地方规定或通行做法；"
        "setting 本系统设置",
    )
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)

    class Meta:
        model = RuleValue
        fields = [
            "key", "group", "value", "unit", "effective_from", "state", "source", "description",
            "basis", "basis_display",
        ]  # fmt: skip
        read_only_fields = fields

    def get_group(self, rule: RuleValue) -> str:
        return group_of(rule.key)

    def plain_value(self, rule: RuleValue) -> str:
        return plain_value(rule.value)

    def get_state(self, rule: RuleValue) -> str:
        return rule_state(rule, self.context["in_force"], self.context["on"])


class RuleListView(generics.ListAPIView):  # type: ignore[type-arg]
    """规则参数: every rule value (read-only, unpaged), for any logged-in user, as the page."""

    serializer_class = RuleValueSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return RuleValue.objects.order_by("key", "-effective_from")

    def get_serializer_context(self) -> dict[str, Any]:
        on = today()
        return {**super().get_serializer_context(), "on": on, "in_force": in_force_on(on)}
