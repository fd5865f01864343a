"""Showing values: reference names in bulk, and each field type formatted for people."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from saas.metadata.definitions import Field
from saas.modules.core.records import reference_labels


def reference_labels_for(fields: list[Field], rows: list[dict]) -> dict[str, dict[int, str]]:
    """{field key: {id: display name}} for the reference fields among `fields` in `rows` (one query each)."""
    labels = {}
    for f in fields:
        if f.kind == "reference":
            labels[f.key] = reference_labels(f.reference_object, (row.get(f.key) for row in rows))
    return labels


def display(f: Field, value: Any, refs: dict | None = None, link=None) -> Markup:
    """A value as HTML for lists and record pages; everything a tenant typed is escaped."""
    if value is None or value == "" or value == []:
        return Markup('<span class="muted">—</span>')
    if f.type == "boolean":
        return Markup(escape(_("Yes") if value else _("No")))
    if f.type == "single_select":
        return Markup('<span class="badge">%s</span>') % f.option_label(value)
    if f.type == "multi_select":
        return Markup(" ").join(Markup('<span class="badge">%s</span>') % f.option_label(v) for v in value)
    if f.type == "reference":
        name = (refs or {}).get(f.key, {}).get(value)
        if name is None:
            return Markup('<span class="muted">#%s</span>') % value
        url = link(f.reference_object, value) if link else None
        return Markup('<a href="%s">%s</a>') % (url, name) if url else Markup(escape(name))
    if f.type == "date" and isinstance(value, date):
        return Markup(escape(format_date(value, "medium")))
    if f.type == "datetime" and isinstance(value, datetime):
        return Markup(escape(format_datetime(value, "medium")))
    if f.type in ("number", "percent", "currency") and isinstance(value, (int, float, Decimal)):
        text = format_decimal(value, format="#,##0.00" if f.type == "currency" else "#,##0.###")
        return Markup(escape(text + ("%" if f.type == "percent" else "")))
    if f.type == "email":
        return Markup('<a href="mailto:%s">%s</a>') % (value, value)
    if f.type == "url" and str(value).startswith(("http://", "https://")):
        return Markup('<a href="%s" rel="noopener noreferrer" target="_blank">%s</a>') % (value, value)
    if f.type == "phone":
        return Markup('<a href="tel:%s">%s</a>') % (value, value)
    if f.type == "long_text":
        return Markup('<span class="pre">%s</span>') % value
    return Markup(escape(value))


def input_value(f: Field, value: Any) -> str:
    """A value as the text an HTML input shows."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
