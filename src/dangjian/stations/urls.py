from typing import Any

app_name = "stations"
urlpatterns: list[Any] = []
