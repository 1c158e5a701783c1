"""The meetings app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.schedules import periodic
from dangjian.meetings.cadence import refresh_current_year

# 会议频次台账: committees follow their members, new organizations get their row.
periodic(every=dt.timedelta(days=1), name="meetings.cadence_refresh")(refresh_current_year)
