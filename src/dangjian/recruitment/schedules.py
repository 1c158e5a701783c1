"""The recruitment app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.schedules import periodic
from dangjian.recruitment.deadlines import refresh_passed

# 下一事项: files whose next thing's day has passed are recomputed once a day, so a "may now"
# date (可确定为发展对象) gives way to the next deadline without anyone taking a step.
periodic(every=dt.timedelta(days=1), name="recruitment.refresh_due")(refresh_passed)
