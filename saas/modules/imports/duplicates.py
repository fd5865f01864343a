"""Likely duplicate contacts already in the workspace (去重), and merging two into one.

Pairs are found by the same e-mail (without regard to case), the same phone number once
normalised, or a similar name at the same company. Merging keeps the values the user picked,
moves the other contact's activities and orders to the survivor (each move is a recorded
change), records the merge in the survivor's history, and deletes the other contact.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field, field_map
from saas.modules.core.models import Activity, Contact, FieldChange, Order
from saas.modules.core.records import bulk_update, delete_records, get_record, update_record, value_of
from saas.modules.imports.settings import Cleaning

MERGED = "__merged__"
NAME_SIMILARITY = 0.85
MAX_PAIRS = 200
REASONS = {"email": _l("Same e-mail"), "phone": _l("Same phone"), "name": _l("Similar name, same company")}


@dataclass
class Pair:
    first: Contact
    second: Contact
    reasons: list[str]

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


def _phone_key(phone: str | None, region: str) -> str | None:
    if not phone:
        return None
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", phone), region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _name_key(name: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def likely_duplicates(settings: Cleaning, limit: int = MAX_PAIRS) -> list[Pair]:
    """Pairs of contacts that are probably the same person, strongest evidence first."""
    rows = db.session.execute(select(Contact.id, Contact.name, Contact.email, Contact.phone, Contact.company_id)
                              .order_by(Contact.id)).all()
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)

    def group(key_of, reason: str) -> None:
        groups: dict[Any, list[int]] = defaultdict(list)
        for row in rows:
            key = key_of(row)
            if key:
                groups[key].append(row.id)
        for ids in groups.values():
            for i, a in enumerate(ids[:50]):
                for b in ids[i + 1:50]:
                    reasons[(a, b)].append(reason)

    group(lambda r: (r.email or "").strip().lower(), "email")
    group(lambda r: _phone_key(r.phone, settings.phone_region), "phone")
    by_company: dict[int, list] = defaultdict(list)
    for row in rows:
        if row.company_id:
            by_company[row.company_id].append(row)
    for members in by_company.values():
        members = members[:200]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                ka, kb = _name_key(a.name), _name_key(b.name)
                if ka and kb and (ka == kb or SequenceMatcher(None, ka, kb).ratio() >= NAME_SIMILARITY):
                    reasons[(a.id, b.id)].append("name")
    ranked = sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    wanted = {i for pair, _r in ranked for i in pair}
    contacts = {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    return [Pair(contacts[a], contacts[b], r) for (a, b), r in ranked if a in contacts and b in contacts]


def mergeable_fields() -> list[Field]:
    """The contact fields a merge lets the user choose between."""
    return [f for f in field_map("contact").values() if f.editable and not f.hidden]


def differences(survivor: Contact, other: Contact) -> list[tuple[Field, Any, Any]]:
    """(field, survivor's value, other's value) for each field where they differ."""
    out = []
    for f in mergeable_fields():
        a, b = value_of(survivor, f), value_of(other, f)
        if a != b:
            out.append((f, a, b))
    return out


def merge(survivor_id: int, other_id: int, take_from_other: list[str], user_id: int | None) -> Contact:
    """Merge contact `other_id` into `survivor_id`: the fields named in `take_from_other` get the
    other's value (others keep the survivor's), activities and orders move, the merge is
    recorded in the survivor's history, and the other contact is deleted. One transaction:
    the caller commits."""
    if survivor_id == other_id:
        raise InputError(message=_("Choose two different contacts."))
    survivor, other = get_record("contact", survivor_id), get_record("contact", other_id)
    if survivor is None or other is None:
        raise InputError(message=_("There is no such contact."), status=404)
    fields = {f.key: f for f in mergeable_fields()}
    chosen = {}
    for key in take_from_other:
        if key not in fields:
            raise InputError({key: _("There is no such field.")})
        value = value_of(other, fields[key])
        chosen[key] = _as_input(fields[key], value)
    # The other contact's unique values must be gone before the survivor takes them.
    other_name, other_values = other.name, {k: _as_input(f, value_of(other, f)) for k, f in fields.items()}
    activity_ids = list(db.session.scalars(select(Activity.id).where(Activity.contact_id == other.id)))
    order_ids = list(db.session.scalars(select(Order.id).where(Order.contact_id == other.id)))
    if activity_ids:
        bulk_update("activity", activity_ids, {"contact": survivor.id}, user_id)
    if order_ids:
        bulk_update("order", order_ids, {"contact": survivor.id}, user_id)
    delete_records("contact", [other.id])
    if chosen:
        update_record("contact", survivor, chosen, user_id)
    db.session.add(FieldChange(object_key="contact", record_id=survivor.id, field_key=MERGED,
                               old_value={"id": other_id, "name": other_name, "values": other_values},
                               new_value={"activities": len(activity_ids), "orders": len(order_ids),
                                          "fields": sorted(chosen)},
                               user_id=user_id))
    db.session.flush()
    return survivor


def _as_input(f: Field, value: Any) -> Any:
    """A current value in the shape the record services load (dates as ISO text)."""
    from saas.metadata.types import to_storage

    if f.column is not None and f.kind in ("date", "datetime") and value is not None:
        return to_storage(f.type, value)
    if f.column is None:
        return to_storage(f.type, value)
    return value
