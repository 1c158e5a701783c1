"""The votes app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.schedules import periodic
from dangjian.votes.services import run_schedule

# 定时开始/结束: polls open and close here, never when a page is looked at.
periodic(every=dt.timedelta(seconds=30), name="votes.run_schedule")(run_schedule)
