"""The accounts app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.accounts.reminders import send_todays_reminders
from dangjian.core.schedules import periodic

# 提醒: 工作台 items that came due or overdue today, once per item and phase (the run is
# idempotent, so running it hourly only catches a worker that was down at the day's start).
periodic(every=dt.timedelta(hours=1), name="accounts.send_due_reminders")(send_todays_reminders)
