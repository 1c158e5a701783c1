"""The upload form of 档案材料 (page); the API has its own serializer over the same service."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.documents import ACCEPT, check_size
from dangjian.core.exceptions import DomainError


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="材料名称")
    file = forms.FileField(label="文件", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args: Any, kinds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:  # before reading it into memory
            check_size(upload.name, upload.size)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload
