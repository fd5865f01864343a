"""A record's timeline (activities), its related records and its change history, for the record page."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import field_map
from saas.metadata.i18n import pick
from saas.modules.core import records
from saas.modules.core.models import ACTIVITY_KINDS, Activity, Company, Contact, Order
from saas.modules.core.objects import KIND_LABELS

RELATED_LIMIT = 50


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, pick(KIND_LABELS[kind])) for kind in ACTIVITY_KINDS]


def activities_of(object_key: str, record, limit: int = 100) -> list[Activity]:
    """The activities on a contact's or a company's timeline, newest first."""
    column = {"contact": Activity.contact_id, "company": Activity.company_id}.get(object_key)
    if column is None:
        return []
    return list(db.session.scalars(select(Activity).where(column == record.id)
                                   .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)))


def add_activity(object_key: str, record, form, user_id: int) -> Activity:
    """Log a call, e-mail, meeting, note or task on a contact's or company's timeline."""
    if object_key not in ("contact", "company"):
        raise InputError(message=_("Activities belong to contacts and companies."))
    data = {"kind": form.get("kind") or None, "subject": (form.get("subject") or "").strip() or None,
            "body": (form.get("body") or "").strip() or None, "due_on": form.get("due_on") or None,
            object_key: record.id}
    if object_key == "contact" and record.company_id:
        data["company"] = record.company_id
    return records.create_record("activity", data, user_id=user_id)


def related(object_key: str, record) -> list[dict]:
    """Related lists for the record page: [{"object_key", "rows", "total"}]."""
    out = []
    if object_key == "company":
        out.append(_related("contact", select(Contact).where(Contact.company_id == record.id).order_by(Contact.name)))
        out.append(_related("order", select(Order).where(Order.company_id == record.id)
                            .order_by(Order.ordered_on.desc(), Order.id.desc())))
    elif object_key == "contact":
        out.append(_related("order", select(Order).where(Order.contact_id == record.id)
                            .order_by(Order.ordered_on.desc(), Order.id.desc())))
    return out


def _related(object_key: str, statement) -> dict:
    from sqlalchemy import func

    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return {"object_key": object_key, "rows": list(db.session.scalars(statement.limit(RELATED_LIMIT))),
            "total": total or 0}


def history_entries(object_key: str, record_id: int) -> list[dict]:
    """The record's changes, newest first, with field labels: [{"change", "field", "created"}]."""
    fields = field_map(object_key)
    entries = []
    for change in records.history(object_key, record_id):
        entries.append({"change": change, "field": fields.get(change.field_key),
                        "created": change.field_key == records.CREATED})
    return entries
