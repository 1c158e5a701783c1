"""Pages answer only the methods an HTML page can send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from rest_framework.views import APIView

PAGE_METHODS = ("GET", "HEAD", "POST")


class PageMethodsMiddleware:
    """A page (any view that is not the JSON API) refuses PUT, PATCH, DELETE, … with 405.

    Browsers send only GET and POST from pages; anything else is a probe or a mistake and must
    not render the page as if it were a GET. GET-only pages also refuse POST, by `require_safe`
    on the view. The API's views declare their own methods (DRF answers 405 itself). Placed
    before the CSRF check, so the answer is 405 whatever the token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        return None
