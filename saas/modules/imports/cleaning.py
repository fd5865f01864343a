"""Cleaning on the way in (数据清洗, 格式统一): each cell made into what its field type expects.

- every value is trimmed (ASCII and ideographic spaces);
- full-width digits, letters and punctuation become half-width (Unicode NFKC) where the type
  wants it: numbers, dates, e-mails, phones, URLs, yes/no, choices; never in free text, where
  "（北京）" is how the customer wrote their name;
- phones are parsed with phonenumbers in the workspace's default region and kept as E.164;
- e-mails are lower-cased;
- dates are read in the common forms: 2026-11-24, 2026/11/24, 2026.11.24, 2026年11月24日, and
  24/11/2026 or 11/24/2026 as the workspace's setting says.

`clean(field, text, settings)` returns the value to give the record services (which validate
it with the generated schema) or raises CleanError with a message for the failed-rows report.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import phonenumbers
from flask_babel import gettext as _

from saas.metadata.definitions import Field
from saas.metadata.i18n import LANGUAGES
from saas.modules.imports.settings import Cleaning

TRUE_WORDS = {"1", "true", "yes", "y", "on", "t", "x", "✓", "√", "是", "真", "对", "對", "有"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "f", "✗", "×", "否", "假", "错", "錯", "无", "無", "不是"}
LIST_SEPARATORS = re.compile(r"\s*[,;|、，；]\s*")
CJK_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号號]?$")
YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
TIME_PART = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class CleanError(ValueError):
    """A cell that cannot be made into its field's type; the message says why."""


def trim(text: str) -> str:
    """Whitespace off both ends, the ideographic space (U+3000) and no-break space included."""
    return (text or "").strip().strip("\u3000\u00a0\ufeff").strip()


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def clean_email(text: str) -> str:
    return half_width(text).replace(" ", "").lower()


def clean_phone(text: str, region: str) -> str:
    """A phone number in E.164 (+8613812345678), read in `region` when it has no +country."""
    text = half_width(text)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise CleanError(_("“%(value)s” is not a phone number.", value=text)) from None
    if not phonenumbers.is_possible_number(number):
        raise CleanError(_("“%(value)s” is not a phone number.", value=text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CleanError(_("“%(value)s” is not a date.", value=text)) from None


def parse_date(text: str, date_order: str = "dmy") -> date:
    """A date from the forms people type (see the module docstring)."""
    text = half_width(text).replace(" ", "")
    for pattern in (YMD, CJK_DATE):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return _date(year, month, day, text)
    match = SLASHED.match(text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        day, month = (first, second) if date_order == "dmy" else (second, first)
        return _date(year, month, day, text)
    raise CleanError(_("“%(value)s” is not a date; write it like 2026-11-24.", value=text))


def parse_datetime(text: str, date_order: str = "dmy") -> str:
    """A date and time as ISO text (UTC when no offset is given)."""
    text = half_width(text).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment.isoformat() if moment.tzinfo else moment.isoformat() + "+00:00"
    except ValueError:
        pass
    day_part, _sep, time_part = text.partition(" ")
    day = parse_date(day_part, date_order)
    hours = minutes = seconds = 0
    if time_part:
        match = TIME_PART.match(time_part.strip())
        if not match:
            raise CleanError(_("“%(value)s” is not a date and time.", value=text))
        hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    try:
        return datetime(day.year, day.month, day.day, hours, minutes, seconds).isoformat() + "+00:00"
    except ValueError:
        raise CleanError(_("“%(value)s” is not a date and time.", value=text)) from None


def clean_number(text: str) -> str:
    """Digits with separators and currency signs taken off: "￥1,280.50" -> "1280.50"."""
    text = half_width(text)
    for sign in ("¥", "$", "€", "£", "元", "%", ",", " ", "_"):
        text = text.replace(sign, "")
    if text.upper().startswith(("RMB", "CNY", "USD", "EUR", "HKD", "TWD", "NT")):
        text = re.sub(r"^[A-Za-z]+", "", text)
    return text


def clean_boolean(text: str) -> bool:
    word = half_width(text).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CleanError(_("“%(value)s” is not yes or no.", value=text))


def _option_lookup(f: Field) -> dict[str, str]:
    """Every way to write an option (its value and its label in each language), folded."""
    lookup: dict[str, str] = {}
    for option in f.options:
        value = option["value"]
        names = [value, *[(option.get("labels") or {}).get(code, "") for code in LANGUAGES]]
        for name in names:
            if name:
                lookup.setdefault(half_width(str(name)).strip().casefold(), value)
    return lookup


def clean_choice(f: Field, text: str) -> str:
    value = _option_lookup(f).get(half_width(text).strip().casefold())
    if value is None:
        raise CleanError(_("“%(value)s” is not one of the options of %(field)s.", value=text, field=f.label()))
    return value


def clean_url(text: str) -> str:
    text = half_width(text).replace(" ", "")
    if "://" not in text:
        text = f"https://{text}"
    return text


def clean(f: Field, text: str, settings: Cleaning) -> object | None:
    """The value of one cell for field `f`, cleaned; None when the cell is empty."""
    text = trim(str(text) if text is not None else "")
    if not text:
        return None
    kind = f.type
    if kind in ("text", "long_text"):
        return text
    if kind == "email":
        return clean_email(text)
    if kind == "phone":
        return clean_phone(text, settings.phone_region)
    if kind in ("number", "currency", "percent"):
        return clean_number(text)
    if kind == "date":
        return parse_date(text, settings.date_order).isoformat()
    if kind == "datetime":
        return parse_datetime(text, settings.date_order)
    if kind == "boolean":
        return clean_boolean(text)
    if kind == "single_select":
        return clean_choice(f, text)
    if kind == "multi_select":
        return [clean_choice(f, part) for part in LIST_SEPARATORS.split(half_width(text)) if part.strip()]
    if kind == "url":
        return clean_url(text)
    if kind == "reference":
        return half_width(text)  # resolved to a record id by the importer
    return text
