"""Refusing an oversized upload while it arrives, before it is written anywhere."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload larger than `limit` bytes and marks the request
    (`upload_too_large`, and `upload_too_large_name`: the file's name when known), so the view
    can say why no file arrived; the rest of the body is discarded unread.

    Install it before anything reads the body: `request.upload_handlers.insert(0, ...)` in a
    view that is `csrf_exempt` and checks CSRF itself afterwards (`csrf_protect`)."""

    def __init__(self, request: Any = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, *args: Any, **kwargs: Any
    ) -> None:
        self.too_large = content_length > self.limit + 65536  # room for the other fields
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.too_large or self.received > self.limit:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            self.request.upload_too_large_name = self.file_name or ""  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
