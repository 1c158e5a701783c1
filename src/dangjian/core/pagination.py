"""The API's pagination (its own module: DRF imports it while it loads, so no views here)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF's page numbers, but an empty ?page= is refused like any other invalid page (404)
    instead of silently meaning page 1: the schema says the page is an integer."""

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound("页码无效。")
        return super().get_page_number(request, paginator)
