from typing import Any

app_name = "transfers"
urlpatterns: list[Any] = []
