"""API plumbing shared by all apps: domain errors become 400/409 with the Chinese message."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from dangjian.core.exceptions import ConcurrentEditError, DomainError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if isinstance(exc, ConcurrentEditError) else 400
        return Response({"detail": exc.message, "field": exc.field}, status=code)
    if isinstance(exc, ParseError):
        # DRF's text quotes the parser's English error; say what is wrong in Chinese.
        return Response({"detail": "请求内容无法解析，请检查提交的数据格式。"}, status=400)
    return exception_handler(exc, context)
