from typing import Any

app_name = "exchange"
urlpatterns: list[Any] = []
