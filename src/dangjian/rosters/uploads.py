"""Refusing an oversized upload while it arrives, before it is written anywhere."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from dangjian.rosters.reader import max_bytes


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload larger than DANGJIAN_IMPORT_MAX_BYTES and marks the request, so
    the view can say why no file arrived (the rest of the body is discarded unread)."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, *args: Any, **kwargs: Any
    ) -> None:
        self.too_large = content_length > max_bytes() + 65536  # room for the other fields
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.too_large or self.received > max_bytes():
            self.request.upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
