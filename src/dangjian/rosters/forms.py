from __future__ import annotations

from typing import Any

from django import forms

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with
from dangjian.orgs.fields import OrgChoiceField


class UploadForm(forms.Form):
    org = OrgChoiceField(
        label="导入到党组织",
        help_text="文件中「所在党组织」为空的党员编入该组织；其余须是它的下级党组织。",
    )
    file = forms.FileField(label="花名册文件", help_text="Excel（.xlsx、.xls）或 CSV 文件")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs_with(user, Ability.IMPORT_ROSTERS, holding_members=True)  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
