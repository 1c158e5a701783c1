"""Domain exceptions shared by all work systems. Messages are Chinese: they reach the user."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation; `str(exc)` is shown to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentEditError(DomainError):
    """Someone else saved the record after this form was opened (乐观锁冲突)."""

    def __init__(self, what: str = "该记录") -> None:
        super().__init__(f"{what}已被他人修改，请刷新页面后在最新内容上重新编辑。")
