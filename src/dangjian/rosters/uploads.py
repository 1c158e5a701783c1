"""Refusing an oversized roster while it arrives (the shared handler, at the import limit)."""

from __future__ import annotations

from typing import Any

from dangjian.core.uploads import SizeLimitHandler as _SizeLimitHandler
from dangjian.rosters.reader import max_bytes


class SizeLimitHandler(_SizeLimitHandler):
    """Stops reading an upload larger than DANGJIAN_IMPORT_MAX_BYTES."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request, limit=max_bytes())
