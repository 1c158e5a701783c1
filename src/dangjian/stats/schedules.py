"""The statistics app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.schedules import periodic
from dangjian.stats.rollups import fold_all

periodic(every=dt.timedelta(minutes=1), name="stats.fold")(fold_all)
