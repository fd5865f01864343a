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
it with the generated schema) or raises CleanError with a message for the failed-rows report;
`cleaner(field, settings)` is the same as one function per field, for the import's many cells.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Callable

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


def clean_choice(f: Field, text: str, lookup: dict[str, str] | None = None) -> str:
    value = (lookup if lookup is not None else _option_lookup(f)).get(half_width(text).strip().casefold())
    if value is None:
        raise CleanError(_("“%(value)s” is not one of the options of %(field)s.", value=text, field=f.label()))
    return value


def clean_url(text: str) -> str:
    text = half_width(text).replace(" ", "")
    if "://" not in text:
        text = f"https://{text}"
    return text


def cleaner(f: Field, settings: Cleaning) -> Callable[[str], object | None]:
    """`clean(f, ·, settings)` as one function per field, its choices looked up once: an import
    cleans millions of cells with it."""
    kind = f.type
    if kind in ("text", "long_text"):
        convert = None
    elif kind == "email":
        convert = clean_email
    elif kind == "phone":
        def convert(text: str) -> str:
            return clean_phone(text, settings.phone_region)
    elif kind in ("number", "currency", "percent"):
        convert = clean_number
    elif kind == "date":
        def convert(text: str) -> str:
            return parse_date(text, settings.date_order).isoformat()
    elif kind == "datetime":
        def convert(text: str) -> str:
            return parse_datetime(text, settings.date_order)
    elif kind == "boolean":
        convert = clean_boolean
    elif kind == "single_select":
        lookup = _option_lookup(f)

        def convert(text: str) -> str:
            return clean_choice(f, text, lookup)
    elif kind == "multi_select":
        lookup = _option_lookup(f)

        def convert(text: str) -> list[str]:
            return [clean_choice(f, part, lookup) for part in LIST_SEPARATORS.split(half_width(text)) if part.strip()]
    elif kind == "url":
        convert = clean_url
    elif kind == "reference":
        convert = half_width  # resolved to a record id by the importer
    else:
        convert = None

    def clean_cell(text) -> object | None:
        text = trim(str(text) if text is not None else "")
        if not text:
            return None
        return text if convert is None else convert(text)
    return clean_cell


def clean(f: Field, text: str, settings: Cleaning) -> object | None:
    """The value of one cell for field `f`, cleaned; None when the cell is empty."""
    return cleaner(f, settings)(text)
