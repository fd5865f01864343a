"""Field types: how each type validates (a marshmallow field), how it is stored in the JSON
column, how the query builder compares it (its `kind`) and which filter operators it offers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

# Numbers beyond this are refused: they are typing mistakes, and they stay exact as JSON numbers.
NUMBER_LIMIT = 10 ** 15

REQUIRED = _l("This field is required.")

# Operators, each with its label; which ones a field offers depends on its kind.
OPERATORS = {
    "eq": _l("is"),
    "ne": _l("is not"),
    "contains": _l("contains"),
    "in": _l("is any of"),
    "gt": _l("greater than"),
    "lt": _l("less than"),
    "between": _l("between"),
    "before": _l("before"),
    "after": _l("after"),
    "empty": _l("is empty"),
    "not_empty": _l("is not empty"),
}
KIND_OPERATORS = {
    "text": ("contains", "eq", "ne", "in", "empty", "not_empty"),
    "choice": ("eq", "ne", "in", "empty", "not_empty"),
    "number": ("eq", "ne", "gt", "lt", "between", "empty", "not_empty"),
    "date": ("eq", "before", "after", "between", "empty", "not_empty"),
    "datetime": ("before", "after", "between", "empty", "not_empty"),
    "bool": ("eq", "empty", "not_empty"),
    "array": ("contains", "empty", "not_empty"),
    "reference": ("eq", "ne", "in", "empty", "not_empty"),
}
VALUELESS_OPERATORS = {"empty", "not_empty"}


@dataclass(frozen=True)
class FieldType:
    key: str
    label: Any
    kind: str                       # how the query builder compares: see KIND_OPERATORS
    make_field: Callable[..., fields.Field]
    input: str                      # the HTML input the forms use

    @property
    def operators(self) -> tuple[str, ...]:
        return KIND_OPERATORS[self.kind]

    @property
    def sortable(self) -> bool:
        return self.kind != "array"


def _messages(**extra) -> dict:
    return {"required": REQUIRED, "null": REQUIRED, **extra}


def _text(max_length: int) -> Callable[..., fields.Field]:
    def make(**kw):
        return fields.String(validate=validate.Length(max=max_length,
                                                      error=_l("Use at most {max} characters.")),
                             error_messages=_messages(invalid=_l("Enter text.")), **kw)
    return make


def _number(**kw) -> fields.Field:
    return fields.Float(allow_nan=False, validate=validate.Range(
        min=-NUMBER_LIMIT, max=NUMBER_LIMIT, error=_l("This number is out of range.")),
        error_messages=_messages(invalid=_l("Enter a number."), special=_l("Enter a number.")), **kw)


def _currency(**kw) -> fields.Field:
    return fields.Decimal(places=2, allow_nan=False, validate=validate.Range(
        min=-NUMBER_LIMIT, max=NUMBER_LIMIT, error=_l("This amount is out of range.")),
        error_messages=_messages(invalid=_l("Enter an amount, e.g. 1280.50."), special=_l("Enter an amount.")), **kw)


def _date(**kw) -> fields.Field:
    return fields.Date(error_messages=_messages(invalid=_l("Enter a date as YYYY-MM-DD.")), **kw)


def _datetime(**kw) -> fields.Field:
    return fields.AwareDateTime(default_timezone=timezone.utc, error_messages=_messages(
        invalid=_l("Enter a date and time."), invalid_awareness=_l("Enter a date and time.")), **kw)


def _boolean(**kw) -> fields.Field:
    return fields.Boolean(truthy={True, "on", "true", "1", "yes", 1}, falsy={False, "off", "false", "0", "no", 0},
                          error_messages=_messages(invalid=_l("Choose yes or no.")), **kw)


def _email(**kw) -> fields.Field:
    # A String with validators: marshmallow's Email field insists on untranslated messages.
    return fields.String(validate=[validate.Length(max=254, error=_l("Use at most {max} characters.")),
                                   validate.Email(error=_l("Enter an e-mail address like name@company.com."))],
                         error_messages=_messages(), **kw)


PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{4,30}$"


def _phone(**kw) -> fields.Field:
    return fields.String(validate=validate.Regexp(
        PHONE_PATTERN, error=_l("Enter a phone number: digits, spaces, dashes, an optional leading +.")),
        error_messages=_messages(), **kw)


def _url(**kw) -> fields.Field:
    return fields.String(validate=[validate.Length(max=2000, error=_l("Use at most {max} characters.")),
                                   validate.URL(error=_l("Enter a web address starting with http:// or https://."))],
                         error_messages=_messages(), **kw)


def _single_select(options: list[str] | None = None, **kw) -> fields.Field:
    return fields.String(validate=validate.OneOf(options or [], error=_l("Choose one of the listed options.")),
                         error_messages=_messages(), **kw)


def _multi_select(options: list[str] | None = None, **kw) -> fields.Field:
    inner = fields.String(validate=validate.OneOf(options or [], error=_l("Choose only listed options.")))
    return fields.List(inner, error_messages=_messages(invalid=_l("Choose only listed options.")), **kw)


def _reference(**kw) -> fields.Field:
    return fields.Integer(strict=False, validate=validate.Range(min=1, error=_l("Choose a record.")),
                          error_messages=_messages(invalid=_l("Choose a record.")), **kw)


FIELD_TYPES: dict[str, FieldType] = {t.key: t for t in (
    FieldType("text", _l("Text"), "text", _text(500), "text"),
    FieldType("long_text", _l("Long text"), "text", _text(20000), "textarea"),
    FieldType("number", _l("Number"), "number", _number, "number"),
    FieldType("currency", _l("Currency"), "number", _currency, "number"),
    FieldType("percent", _l("Percent"), "number", _number, "number"),
    FieldType("date", _l("Date"), "date", _date, "date"),
    FieldType("datetime", _l("Date and time"), "datetime", _datetime, "datetime-local"),
    FieldType("boolean", _l("Yes / no"), "bool", _boolean, "checkbox"),
    FieldType("single_select", _l("Single select"), "choice", _single_select, "select"),
    FieldType("multi_select", _l("Multi select"), "array", _multi_select, "multiselect"),
    FieldType("email", _l("E-mail"), "text", _email, "email"),
    FieldType("phone", _l("Phone"), "text", _phone, "tel"),
    FieldType("url", _l("URL"), "text", _url, "url"),
    FieldType("reference", _l("Reference to a record"), "reference", _reference, "reference"),
)}


def field_type(key: str) -> FieldType:
    """The type called `key`; unknown types are a programming error."""
    return FIELD_TYPES[key]


def marshmallow_field(type_key: str, options: list[str] | None = None, **kw) -> fields.Field:
    """A fresh marshmallow field validating values of the type (selects: within `options`)."""
    make = FIELD_TYPES[type_key].make_field
    if type_key in ("single_select", "multi_select"):
        return make(options=options, **kw)
    return make(**kw)


def to_storage(type_key: str, value: Any) -> Any:
    """A loaded value as kept in the JSON column: dates and times as sortable ISO text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if type_key in ("text", "long_text", "email", "phone", "url") and isinstance(value, str):
        return value.strip() or None
    if type_key == "multi_select":
        return list(dict.fromkeys(value)) or None
    return value


def from_storage(type_key: str, value: Any) -> Any:
    """A stored JSON value as a Python value for display (dates as date, datetimes as datetime)."""
    if value is None:
        return None
    try:
        if type_key == "date" and isinstance(value, str):
            return date.fromisoformat(value[:10])
        if type_key == "datetime" and isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return value
