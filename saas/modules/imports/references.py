"""Cells that name another record: a company by its name (or #id), a member by e-mail or name.

Resolved a chunk at a time, one query per reference column. A company that does not exist yet is
created with the rows that name it (a contact list brings its companies), but only for rows that
are written: the importer asks for them once it knows which rows those are.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field
from saas.metadata.objects import object_type
from saas.modules.billing.limits import Capacity
from saas.modules.core.bulk import any_of, create_records
from saas.tenants.context import current_tenant_id
from saas.tenants.models import Membership, User


@dataclass(frozen=True)
class NewRecord:
    """A reference to a company that does not exist yet, by the name the cell gave."""

    object_key: str
    title: str


def resolve(f: Field, texts: set[str]) -> dict[str, int | NewRecord | str]:
    """Each text of a reference column as the id it names, a NewRecord to create, or the reason
    it names nothing (a message for the failed-rows report)."""
    if f.reference_object == "user":
        return _members(texts)
    spec = object_type(f.reference_object or "")
    if spec is None:
        return {text: _("There is no such record.") for text in texts}
    by_number = {text: int(text[1:]) for text in texts if text.startswith("#") and text[1:].isdigit()}
    numbers = set(db.session.scalars(select(spec.model.id).where(any_of(spec.model.id, set(by_number.values())))))
    title = getattr(spec.model, spec.title_field)
    names = [text for text in texts if text not in by_number]
    first = dict(db.session.execute(select(title, func.min(spec.model.id)).where(any_of(title, names))
                                    .group_by(title)).all()) if names else {}
    found: dict[str, int | NewRecord | str] = {}
    for text in texts:
        if text in by_number and by_number[text] in numbers:
            found[text] = by_number[text]
        elif text not in by_number and text in first:
            found[text] = first[text]
        elif spec.key == "company":
            found[text] = NewRecord(spec.key, text)
        else:
            found[text] = _("“%(value)s”: there is no such record.", value=text)
    return found


def _members(texts: set[str]) -> dict[str, int | str]:
    """Members by e-mail (without regard to case) or by name; the first member when several match."""
    lowered = {text.lower() for text in texts}
    rows = db.session.execute(
        select(User.id, User.email, User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == current_tenant_id(),
               or_(any_of(func.lower(User.email), lowered), any_of(User.name, texts))).order_by(User.id)).all()
    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for row in rows:
        by_email.setdefault((row.email or "").lower(), row.id)
        by_name.setdefault(row.name, row.id)
    found: dict[str, int | str] = {}
    for text in texts:
        matches = [i for i in (by_email.get(text.lower()), by_name.get(text)) if i is not None]
        found[text] = min(matches) if matches else _("“%(value)s” is not a member of this workspace.", value=text)
    return found


def create_new(wanted: set[NewRecord], room: Capacity | None = None) -> dict[NewRecord, int | InputError]:
    """Create the records that rows named and that did not exist: per one, its id or the error
    (`room`: the plan's records capacity, as create_records takes it)."""
    out: dict[NewRecord, int | InputError] = {}
    by_object: dict[str, list[NewRecord]] = {}
    for new in sorted(wanted, key=lambda n: (n.object_key, n.title)):
        by_object.setdefault(new.object_key, []).append(new)
    for object_key, news in by_object.items():
        title_field = object_type(object_key).title_field
        outcomes = create_records(object_key, [{title_field: new.title} for new in news], room=room)
        out.update(zip(news, outcomes))
    return out
