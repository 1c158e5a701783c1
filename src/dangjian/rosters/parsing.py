"""Reading one roster cell into a value, or saying in Chinese exactly what is wrong with it.

Cells arrive as the spreadsheet stored them: text, numbers, dates or empty. Nothing is guessed:
a date with no day, or an ID number whose last digits Excel already rounded away, is an error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from dangjian.core.exceptions import DomainError
from dangjian.members.idnumber import validate_id_number
from dangjian.members.services import PHONE_RE


class CellProblem(DomainError):
    """One cell's value cannot be used; the message says why and what to do."""


Cell = Any  # str | int | float | bool | dt.date | dt.datetime | None

# The middle dot of ethnic-minority names (阿卜杜·热合曼) arrives in many shapes.
NAME_DOTS = "·•・･‧∙⋅●．.᛫"
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
NAME_OK = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f·A-Za-z ]+$")
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
DATE_FULL = re.compile(r"^(\d{4})\s*[年./\-/]\s*(\d{1,2})\s*[月./\-/]\s*(\d{1,2})\s*日?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
DATE_MONTH = re.compile(r"^(\d{4})\s*[年./\-/]\s*(\d{1,2})\s*月?$")
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
EARLIEST = dt.date(1900, 1, 1)


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell) -> str:
    """A cell as trimmed half-width text; numbers lose a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    result = str(value)
    if not unicodedata.is_normalized("NFKC", result):  # full-width digits, letters, spaces
        result = unicodedata.normalize("NFKC", result)
    result = result.strip()
    if result.upper() in EXCEL_ERRORS:
        raise CellProblem(f"单元格是公式错误值「{result}」，请在 Excel/WPS 中修正公式或改填数值。")
    return result


def parse_name(value: Cell) -> str:
    raw = text(value)
    for dot in NAME_DOTS:
        raw = raw.replace(dot, "·")
    # 张  三 → 张三: rosters pad two-character names with spaces to line them up.
    name = re.sub(r"(?<=[^\sA-Za-z])\s+|\s+(?=[^\sA-Za-z])", "", raw)
    name = re.sub(r"\s*·\s*", "·", name).strip("·")
    if not name:
        raise CellProblem("姓名不能为空。")
    if not NAME_OK.match(name) or not CJK.search(name):
        bad = next((ch for ch in name if not NAME_OK.match(ch)), "")
        raise CellProblem(
            f"姓名含有不能用于姓名的字符「{bad}」。"
            if bad
            else "姓名应为汉字（少数民族姓名可含「·」）。"
        )
    if len(name) > 50:
        raise CellProblem("姓名超过 50 个字。")
    return name


def parse_id_number(value: Cell) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _numeric_id(value)
    raw = text(value)
    if SCIENTIFIC.match(raw):  # a CSV saved by Excel writes the rounded number like this
        raise _lost_digits(raw)
    if "*" in raw:
        raise CellProblem(
            "公民身份号码是脱敏显示的（含 *），无法识别是哪一位党员；"
            "请使用「导出（含完整信息）」得到的文件，或填写完整号码。"
        )
    try:
        return validate_id_number(raw)
    except DomainError as exc:
        raise CellProblem(exc.message) from exc


def _numeric_id(value: int | float) -> str:
    """Excel keeps 15 significant digits of a number: an 18-digit ID typed as a number has
    lost its last three, and they cannot be recovered (nor are they guessed)."""
    digits = f"{value:.0f}"
    if len(digits) == 15:
        try:
            return validate_id_number(digits)  # a 15-digit number is exact: the old-ID message
        except DomainError as exc:
            raise CellProblem(exc.message) from exc
    raise _lost_digits(digits[:15] + "…" if len(digits) > 15 else digits)


def _lost_digits(shown: str) -> CellProblem:
    return CellProblem(
        f"公民身份号码被存成了数字（{shown}）：Excel 只保留 15 位有效数字，最后几位已经丢失，"
        "无法还原。请把该列设为「文本」格式，重新填写完整的 18 位号码。"
    )


def parse_date(value: Cell, *, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = _numeric_date(value, label)
    else:
        result = _text_date(text(value), label)
    if not EARLIEST <= result <= timezone.localdate():  # Beijing's today, not the server's
        raise CellProblem(f"{label}「{result:%Y-%m-%d}」不在合理范围内（1900 年至今天）。")
    return result


def _numeric_date(value: float, label: str) -> dt.date:
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        return _text_date(str(int(value)), label)  # 20190701 typed as a number
    if 1 <= value < 80000:  # an Excel date serial number shown without a date format
        return from_excel(value).date()  # type: ignore[no-any-return]
    raise CellProblem(f"{label}「{value}」不是日期。")


def _text_date(raw: str, label: str) -> dt.date:
    match = DATE_FULL.match(raw) or DATE_COMPACT.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellProblem(f"{label}「{raw}」不是有效的日期。") from None
    if DATE_MONTH.match(raw):
        raise CellProblem(f"{label}「{raw}」只有年月，请写到日，如 {raw}.01（以档案为准）。")
    raise CellProblem(f"{label}「{raw}」无法识别，请写成 2019-07-01、2019.07.01 或 2019年7月1日。")


def parse_choice(value: Cell, *, words: dict[str, str], label: str, hint: str) -> str:
    raw = text(value).replace(" ", "")
    if raw in words:
        return words[raw]
    raise CellProblem(f"{label}「{raw}」不是可选的值。{hint}")


def parse_phone(value: Cell) -> str:
    raw = text(value).replace(" ", "")
    if not raw:
        return ""
    if "*" in raw:
        raise CellProblem("联系电话是脱敏显示的（含 *），请填写完整号码或留空。")
    if not PHONE_RE.match(raw):
        raise CellProblem(f"联系电话「{raw}」格式不正确，只能包含数字、「-」和开头的「+」。")
    return raw


def parse_short_text(value: Cell, *, label: str, limit: int) -> str:
    raw = re.sub(r"\s+", " ", text(value))
    if len(raw) > limit:
        raise CellProblem(f"{label}超过 {limit} 个字（当前 {len(raw)} 个字）。")
    return raw
