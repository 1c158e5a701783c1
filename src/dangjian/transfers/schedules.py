"""The transfers app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.schedules import periodic
from dangjian.transfers.services import expire_due_letters

# 介绍信过期: letters past their validity are marked expired once a day (idempotent).
periodic(every=dt.timedelta(days=1), name="transfers.expire_letters")(expire_due_letters)
