"""Record services for every registered object: read, create, update (with history), delete,
bulk actions, reference labels and the global search. Views and the API call these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field, field_map
from saas.metadata.objects import ObjectType, object_type, object_types
from saas.metadata.query import condition
from saas.metadata.schemas import load_values
from saas.metadata.types import from_storage, to_storage
from saas.modules.billing.limits import require_capacity, require_writable
from saas.modules.core.models import Activity, Company, Contact, FieldChange, Order
from saas.tenants.models import Membership, User

CREATED = "__created__"


def spec_of(object_key: str) -> ObjectType:
    spec = object_type(object_key)
    if spec is None:
        raise InputError({"object": _("Unknown object.")}, status=404)
    return spec


def get_record(object_key: str, record_id: int):
    """The record of the workspace in context, or None (another workspace's id: None too)."""
    spec = spec_of(object_key)
    return db.session.scalar(select(spec.model).where(spec.model.id == record_id))


def value_of(record, f: Field) -> Any:
    """A field's current value on a record, as a Python value."""
    if f.column is not None:
        return getattr(record, f.column)
    return from_storage(f.type, (record.custom or {}).get(f.key))


def record_values(object_key: str, record) -> dict[str, Any]:
    """Every live field's value of a record, by key."""
    return {key: value_of(record, f) for key, f in field_map(object_key).items()}


def title_of(object_key: str, record) -> str:
    return str(getattr(record, spec_of(object_key).title_field) or f"#{record.id}")


def _check_reference(f: Field, value: int) -> None:
    if f.reference_object == "user":
        member = db.session.scalar(select(Membership.id).where(Membership.user_id == value,
                                                                Membership.tenant_id == _current_tenant()))
        if member is None:
            raise InputError({f.key: _("Choose a member of this workspace.")})
        return
    if f.reference_object and get_record(f.reference_object, value) is None:
        raise InputError({f.key: _("There is no such record.")})


def _current_tenant() -> int:
    from saas.tenants.context import current_tenant_id

    return current_tenant_id()


def _check_unique(spec: ObjectType, f: Field, value: Any, record_id: int | None) -> None:
    if value is None or value == "":
        return
    stored = value if f.column is not None else to_storage(f.type, value)
    statement = select(spec.model.id).where(condition(spec.model, f, "eq", stored)).limit(1)
    if record_id is not None:
        statement = statement.where(spec.model.id != record_id)
    if db.session.scalar(statement) is not None:
        raise InputError({f.key: _("Another record has this value already; it must be unique.")})


def _apply(object_key: str, record, values: dict, user_id: int | None, history: bool) -> list[FieldChange]:
    spec = spec_of(object_key)
    fields = field_map(object_key)
    errors: dict[str, str] = {}
    for key, value in values.items():
        f = fields[key]
        try:
            if value is not None and f.kind == "reference":
                _check_reference(f, value)
            if f.unique:
                _check_unique(spec, f, value, record.id)
        except InputError as exc:
            errors.update(exc.fields)
    if errors:
        raise InputError(errors)
    changes, custom = [], dict(record.custom or {})
    for key, value in values.items():
        f = fields[key]
        old = to_storage(f.type, value_of(record, f))
        new = to_storage(f.type, value)
        if old == new:
            continue
        if f.column is not None:
            setattr(record, f.column, value if value is not None or f.kind != "array" else [])
        elif new is None:
            custom.pop(key, None)
        else:
            custom[key] = new
        if history:
            changes.append(FieldChange(object_key=object_key, record_id=record.id, field_key=key,
                                       old_value=old, new_value=new, user_id=user_id))
    record.custom = custom
    for change in changes:
        db.session.add(change)
    return changes


def record_json(object_key: str, record) -> dict:
    """A record as JSON: its id and every live field's value, standard and custom side by side."""
    fields = field_map(object_key)
    return {"id": record.id, **{key: to_storage(f.type, value_of(record, f)) for key, f in fields.items()}}


def _emit(object_key: str, record_id: int, change: str, before: dict | None, after: dict | None) -> None:
    """Tell the enabled plugins of the workspace in context (hook record_changed)."""
    from flask import g

    from saas.plugins import hooks
    from saas.tenants.models import Workspace

    workspace = g.get("workspace") or db.session.get(Workspace, _current_tenant())
    hooks(workspace=workspace).record_changed(object_key=object_key, record_id=record_id, change=change,
                                              before=before, after=after)


# The customer records a plan's "records" limit counts (see saas/modules/billing/plans.py).
PLAN_COUNTED_OBJECTS = ("contact", "company")


def count_plan_records(workspace) -> int:
    """Contacts plus companies of the workspace in context: billing's usage counter for records."""
    return sum(db.session.scalar(select(func.count(model.id))) for model in (Contact, Company))


def create_record(object_key: str, data: dict, user_id: int | None = None):
    """A new record from `data` ({field key: value}); InputError with a message per field if bad."""
    spec = spec_of(object_key)
    if object_key in PLAN_COUNTED_OBJECTS:
        require_capacity("records")
    values = load_values(object_key, data)
    record = spec.model(custom={})
    if hasattr(record, "tags"):
        record.tags = []
    _apply(object_key, record, values, user_id, history=False)
    if getattr(record, "owner_id", None) is None and user_id is not None and "owner" not in values:
        record.owner_id = user_id
    db.session.add(record)
    db.session.flush()
    db.session.add(FieldChange(object_key=object_key, record_id=record.id, field_key=CREATED, user_id=user_id))
    _emit(object_key, record.id, "created", None, record_json(object_key, record))
    return record


def update_record(object_key: str, record, data: dict, user_id: int | None = None) -> list[FieldChange]:
    """Change the given fields of a record, recording each change (who, when, old, new)."""
    if object_key in PLAN_COUNTED_OBJECTS:
        require_writable("records")
    values = load_values(object_key, data, partial=True)
    before = record_json(object_key, record)
    changes = _apply(object_key, record, values, user_id, history=True)
    db.session.flush()
    if changes:
        _emit(object_key, record.id, "updated", before, record_json(object_key, record))
    return changes


def bulk_update(object_key: str, record_ids: Iterable[int], data: dict, user_id: int | None = None) -> int:
    """Set the same values on many records (all or none: one transaction); returns how many changed."""
    values = load_values(object_key, data, partial=True)
    spec = spec_of(object_key)
    rows = list(db.session.scalars(select(spec.model).where(spec.model.id.in_(list(record_ids)))))
    changed = 0
    for record in rows:
        before = record_json(object_key, record)
        if _apply(object_key, record, dict(values), user_id, history=True):
            changed += 1
            _emit(object_key, record.id, "updated", before, record_json(object_key, record))
    db.session.flush()
    return changed


def delete_records(object_key: str, record_ids: Iterable[int]) -> int:
    """Delete records of the workspace in context with their history; returns how many."""
    spec = spec_of(object_key)
    rows = list(db.session.scalars(select(spec.model).where(spec.model.id.in_(list(record_ids)))))
    if not rows:
        return 0
    ids = [row.id for row in rows]
    for row in rows:
        _emit(object_key, row.id, "deleted", record_json(object_key, row), None)
    # References that must not take their rows along: the company of a contact or an order.
    if spec.model is Company:
        db.session.execute(update(Contact).where(Contact.company_id.in_(ids)).values(company_id=None))
        db.session.execute(update(Order).where(Order.company_id.in_(ids)).values(company_id=None))
        db.session.execute(delete(Activity).where(Activity.company_id.in_(ids)))
    if spec.model is Contact:
        db.session.execute(delete(Activity).where(Activity.contact_id.in_(ids)))
        db.session.execute(delete(Order).where(Order.contact_id.in_(ids)))
    db.session.execute(delete(FieldChange).where(FieldChange.object_key == object_key,
                                                 FieldChange.record_id.in_(ids)))
    db.session.execute(delete(spec.model).where(spec.model.id.in_(ids)))
    db.session.flush()
    return len(ids)


def history(object_key: str, record_id: int, limit: int = 200) -> list[FieldChange]:
    """The record's changes, newest first."""
    return list(db.session.scalars(
        select(FieldChange).where(FieldChange.object_key == object_key, FieldChange.record_id == record_id)
        .order_by(FieldChange.changed_at.desc(), FieldChange.id.desc()).limit(limit)))


def reference_labels(reference_object: str | None, ids: Iterable[int]) -> dict[int, str]:
    """Display names of referenced records (or members, for "user"), by id."""
    ids = {i for i in ids if isinstance(i, int)}
    if not ids or not reference_object:
        return {}
    if reference_object == "user":
        rows = db.session.execute(select(User.id, User.name).join(Membership, Membership.user_id == User.id)
                                  .where(User.id.in_(ids), Membership.tenant_id == _current_tenant()))
        return {row.id: row.name for row in rows}
    spec = object_type(reference_object)
    if spec is None:
        return {}
    title = getattr(spec.model, spec.title_field)
    return {row.id: row.title for row in
            db.session.execute(select(spec.model.id, title.label("title")).where(spec.model.id.in_(ids)))}


# A picker lists every record it may point at up to this many; beyond, it is searched by title.
PICKER_LISTS_UP_TO = 500
PICKER_MATCHES = 50


def reference_choices(reference_object: str | None, limit: int = PICKER_LISTS_UP_TO,
                      matching: str = "") -> list[tuple[int, str]]:
    """Records (or members) a reference field can point at, by title; `matching`: titles that
    contain that text."""
    if reference_object == "user":
        statement = select(User.id, User.name.label("title")).join(Membership, Membership.user_id == User.id) \
            .where(Membership.tenant_id == _current_tenant()).order_by(User.name)
        title = User.name
    else:
        spec = object_type(reference_object) if reference_object else None
        if spec is None:
            return []
        title = getattr(spec.model, spec.title_field)
        statement = select(spec.model.id, title.label("title")).order_by(title)
    if matching:
        statement = statement.where(title.icontains(matching, autoescape=True))
    return [(row.id, row.title) for row in db.session.execute(statement.limit(limit))]


@dataclass
class Picker:
    """What a reference field's input offers: its choices, whether there are too many to list
    (then the input searches them), and the title of the value it holds."""

    choices: list[tuple[int, str]]
    searchable: bool
    current: tuple[int, str] | None


def reference_picker(reference_object: str | None, value: Any = None, matching: str | None = None) -> Picker:
    """The picker of a reference field holding `value` (an id, maybe as text); with `matching`,
    only the records whose title contains it."""
    if matching is not None:
        choices, searchable = reference_choices(reference_object, PICKER_MATCHES, matching.strip()), True
    else:
        choices = reference_choices(reference_object, PICKER_LISTS_UP_TO + 1)
        searchable = len(choices) > PICKER_LISTS_UP_TO
        choices = choices[:PICKER_MATCHES] if searchable else choices
    try:
        current_id = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        current_id = None
    current = None
    if current_id is not None and all(cid != current_id for cid, _title in choices):
        title = reference_labels(reference_object, [current_id]).get(current_id)
        current = (current_id, title or f"#{current_id}")
    return Picker(choices, searchable, current)


def search(text: str, limit: int = 10) -> list[dict]:
    """Contacts and companies (and any object with searchable fields) matching `text` by name,
    e-mail or phone: [{"object_key", "id", "title", "detail"}]."""
    text = (text or "").strip()
    if not text:
        return []
    results = []
    for spec in object_types().values():
        if not spec.searchable or spec.key not in ("contact", "company"):
            continue
        columns = [getattr(spec.model, spec.standard(k).attribute) for k in spec.searchable]
        statement = (select(spec.model).where(or_(*[c.icontains(text, autoescape=True) for c in columns]))
                     .order_by(spec.model.id.desc()).limit(limit))
        for record in db.session.scalars(statement):
            detail = " · ".join(str(v) for v in (getattr(record, "email", None), getattr(record, "phone", None)) if v)
            results.append({"object_key": spec.key, "id": record.id, "title": title_of(spec.key, record),
                            "detail": detail})
    return results
