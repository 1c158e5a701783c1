from typing import Any

app_name = "mobile"
urlpatterns: list[Any] = []
