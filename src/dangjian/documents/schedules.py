"""The documents app's periodic work, run from the worker (core.schedules)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core.schedules import periodic
from dangjian.documents.services import purge_expired_documents


def purge_todays_expired_documents() -> int:
    """保存期满的档案材料: delete those whose retention ended by today (idempotent)."""
    return purge_expired_documents(timezone.localdate())


periodic(every=dt.timedelta(hours=6), name="documents.purge_expired")(
    purge_todays_expired_documents
)
