"""Object and field definitions of the workspace in context: reading them (cached by the
workspace's metadata version) and changing them (each change bumps the version)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.i18n import LANGUAGES, pick
from saas.metadata.models import FieldDefinition, MetadataVersion, ObjectDefinition
from saas.metadata.objects import ObjectType, object_type, object_types
from saas.metadata.types import FIELD_TYPES, field_type
from saas.tenants.context import TenantContextError, current_tenant_id

# A key goes into SQL as a JSON path (custom->>'key'): only these characters ever reach it.
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_KEYS = {"id", "tenant_id", "custom", "created_at", "updated_at", "owner_id", "tags", "type",
                 "select", "from", "where", "order", "group", "user", "table", "null", "true", "false"}
CACHE_VERSIONS_KEPT = 512


@dataclass(frozen=True)
class Field:
    """A read-only snapshot of one field definition, safe to cache across requests."""

    id: int
    object_key: str
    key: str
    type: str
    labels: dict
    help_texts: dict
    options: tuple
    required: bool
    unique: bool
    default: Any
    group: str | None
    position: int
    hidden: bool
    filterable: bool
    is_system: bool
    reference_object: str | None
    index_state: str | None
    editable: bool
    column: str | None                  # the model attribute of a standard field, None for custom

    @property
    def is_custom(self) -> bool:
        return not self.is_system

    @property
    def kind(self) -> str:
        return field_type(self.type).kind

    @property
    def operators(self) -> tuple[str, ...]:
        return field_type(self.type).operators

    @property
    def option_values(self) -> list[str]:
        return [o["value"] for o in self.options]

    def label(self, locale: str | None = None) -> str:
        return pick(self.labels, locale) or self.key

    def help(self, locale: str | None = None) -> str:
        return pick(self.help_texts, locale)

    def option_label(self, value: Any, locale: str | None = None) -> str:
        for option in self.options:
            if option["value"] == value:
                return pick(option.get("labels") or {}, locale) or str(value)
        return str(value)


# --- the version and the cache --------------------------------------------------------------

def _tenant() -> int:
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantContextError("metadata read outside a tenant context")
    return tenant_id


def metadata_version() -> int:
    """The metadata version of the workspace in context (read once per request or job)."""
    tenant_id = _tenant()
    cached = g.get("_metadata_version")
    if cached and cached[0] == tenant_id:
        return cached[1]
    version = db.session.scalar(select(MetadataVersion.version)) or 0
    g._metadata_version = (tenant_id, version)
    return version


def version_subquery(tenant_id_column):
    """The workspace's metadata version as a scalar subquery (NULL: none yet), for a statement that
    reads another row of the workspace anyway (API requests: with the token)."""
    return (select(MetadataVersion.version).where(MetadataVersion.tenant_id == tenant_id_column)
            .scalar_subquery())


def note_version(tenant_id: int, version: int | None) -> None:
    """Take a version read by version_subquery() in this request's transaction as its own."""
    g._metadata_version = (tenant_id, version or 0)


def bump_version() -> int:
    """Mark the workspace's metadata as changed: every cache keyed by the old version misses."""
    result = db.session.execute(update(MetadataVersion).values(version=MetadataVersion.version + 1))
    if not result.rowcount:
        db.session.add(MetadataVersion(version=2))
    db.session.flush()
    g.pop("_metadata_version", None)
    return metadata_version()


def _cache() -> dict:
    return current_app.extensions.setdefault("saas_metadata_cache", {})


def cached(name: str, build):
    """`build()` once per (workspace, metadata version, name), kept in process."""
    cache = _cache()
    key = (_tenant(), metadata_version(), name)
    if key not in cache:
        if len(cache) > CACHE_VERSIONS_KEPT:
            cache.clear()
        cache[key] = build()
    return cache[key]


# --- reading ---------------------------------------------------------------------------------

def _snapshot(row: FieldDefinition, object_key: str, spec: ObjectType | None) -> Field:
    standard = spec.standard(row.key) if (spec and row.is_system) else None
    return Field(
        id=row.id, object_key=object_key, key=row.key, type=row.type, labels=dict(row.labels or {}),
        help_texts=dict(row.help_texts or {}), options=tuple(row.options or ()), required=row.required,
        unique=row.unique, default=row.default, group=row.group, position=row.position, hidden=row.hidden,
        filterable=row.filterable, is_system=row.is_system, reference_object=row.reference_object,
        index_state=row.index_state, editable=standard.editable if standard else not row.is_system,
        column=standard.attribute if standard else None,
    )


def fields(object_key: str) -> list[Field]:
    """Every live field of the object (standard and custom, hidden ones too), in layout order."""
    def build():
        spec = object_type(object_key)
        rows = db.session.scalars(
            select(FieldDefinition).join(ObjectDefinition, (ObjectDefinition.id == FieldDefinition.object_id)
                                         & (ObjectDefinition.tenant_id == FieldDefinition.tenant_id))
            .where(ObjectDefinition.key == object_key, FieldDefinition.removed_at.is_(None))
            .order_by(FieldDefinition.position, FieldDefinition.id))
        return [_snapshot(row, object_key, spec) for row in rows]
    return cached(f"fields:{object_key}", build)


def field_map(object_key: str) -> dict[str, Field]:
    """The live fields of the object by key."""
    return {f.key: f for f in fields(object_key)}


def visible_fields(object_key: str) -> list[Field]:
    """The fields forms and lists show, in layout order."""
    return [f for f in fields(object_key) if not f.hidden]


def object_definition(object_key: str) -> ObjectDefinition | None:
    return db.session.scalar(select(ObjectDefinition).where(ObjectDefinition.key == object_key))


def object_label(object_key: str, plural: bool = False) -> str:
    """The object's label in the request's language."""
    spec = object_type(object_key)
    labels = (spec.plural_labels if plural else spec.labels) if spec else {}
    return pick(labels) or object_key


def field_row(object_key: str, field_id: int) -> FieldDefinition | None:
    """The definition row `field_id` of the object, or None (another workspace's id: None)."""
    return db.session.scalar(
        select(FieldDefinition).join(ObjectDefinition, (ObjectDefinition.id == FieldDefinition.object_id)
                                     & (ObjectDefinition.tenant_id == FieldDefinition.tenant_id))
        .where(ObjectDefinition.key == object_key, FieldDefinition.id == field_id,
               FieldDefinition.removed_at.is_(None)))


# --- set-up of a workspace -------------------------------------------------------------------

def ensure_definitions() -> None:
    """Create the registered objects and their standard fields in the workspace in context (idempotent)."""
    _tenant()
    if db.session.scalar(select(MetadataVersion.id)) is None:
        db.session.add(MetadataVersion(version=1))
    changed = False
    for spec in object_types().values():
        obj = object_definition(spec.key)
        if obj is None:
            obj = ObjectDefinition(key=spec.key, labels=dict(spec.labels), plural_labels=dict(spec.plural_labels),
                                   is_system=True, position=spec.position)
            db.session.add(obj)
            db.session.flush()
            changed = True
        existing = set(db.session.scalars(select(FieldDefinition.key).where(FieldDefinition.object_id == obj.id)))
        for position, std in enumerate(spec.standard_fields):
            if std.key in existing:
                continue
            db.session.add(FieldDefinition(
                object_id=obj.id, key=std.key, type=std.type, labels=dict(std.labels), help_texts={},
                options=[dict(o) for o in std.options], required=std.required, unique=std.unique,
                group=std.group, position=position * 10, hidden=std.hidden, is_system=True,
                reference_object=std.reference_object, filterable=False))
            changed = True
    db.session.flush()
    if changed:
        bump_version()


# --- changing fields (the field studio) ------------------------------------------------------

def _labels(labels: dict | None) -> dict:
    labels = {code: (labels or {}).get(code, "").strip() for code in LANGUAGES}
    labels = {code: text[:120] for code, text in labels.items() if text}
    if not labels:
        raise InputError({"label_en": _("Give the field a label.")})
    return labels


def derive_key(labels: dict) -> str:
    """A key from the English label (or the first one given): lower-case letters, digits, _."""
    import unicodedata

    text = labels.get("en") or next(iter(labels.values()), "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:40]
    if key and not key[0].isalpha():
        key = f"f_{key}"[:40]
    return key


def parse_options(text_or_list) -> list[dict]:
    """Select options from one-per-line text (or a list): [{"value", "labels"}], no duplicates."""
    items = text_or_list.splitlines() if isinstance(text_or_list, str) else list(text_or_list or [])
    options, seen = [], set()
    for item in items:
        if isinstance(item, dict):
            value, labels = str(item.get("value", "")).strip(), item.get("labels") or {}
        else:
            value, labels = str(item).strip(), {}
        if not value or value in seen:
            continue
        seen.add(value)
        options.append({"value": value[:120], "labels": labels or {"en": value[:120]}})
    return options


def _check_options(type_key: str, options: list[dict]) -> None:
    if type_key in ("single_select", "multi_select") and not options:
        raise InputError({"options": _("List at least one option, one per line.")})


def _check_default(type_key: str, options: list[dict], default: Any) -> Any:
    from marshmallow import ValidationError

    from saas.metadata.types import marshmallow_field, to_storage

    if default in (None, "", []):
        return None
    try:
        value = marshmallow_field(type_key, options=[o["value"] for o in options]).deserialize(default)
    except ValidationError as exc:
        raise InputError({"default": " ".join(str(m) for m in exc.messages)}) from None
    return to_storage(type_key, value)


def add_field(object_key: str, *, labels: dict, type: str, key: str | None = None, options=None,
              required: bool = False, unique: bool = False, default: Any = None, help_texts: dict | None = None,
              group: str | None = None, hidden: bool = False, filterable: bool = False,
              reference_object: str | None = None) -> FieldDefinition:
    """Add a custom field to the object; bad input raises InputError with a message per form field."""
    obj = object_definition(object_key)
    spec = object_type(object_key)
    if obj is None or spec is None:
        raise InputError({"object": _("Unknown object.")}, status=404)
    labels = _labels(labels)
    if type not in FIELD_TYPES:
        raise InputError({"type": _("Choose a field type.")})
    key = (key or "").strip().lower() or derive_key(labels)
    if not key:
        raise InputError({"key": _("Give the field a key: lower-case letters, digits and _, starting with a letter.")})
    if not KEY_RE.match(key):
        raise InputError({"key": _("Use lower-case letters, digits and _, starting with a letter (at most 40).")})
    if key in RESERVED_KEYS or spec.standard(key) or hasattr(spec.model, key):
        raise InputError({"key": _("“%(key)s” is a standard field or a reserved word; choose another key.", key=key)})
    taken = db.session.scalar(select(FieldDefinition.id).where(FieldDefinition.object_id == obj.id,
                                                                FieldDefinition.key == key))
    if taken:
        raise InputError({"key": _("This object has a field with the key “%(key)s” already.", key=key)})
    options = parse_options(options)
    _check_options(type, options)
    if type == "reference":
        if not reference_object or object_type(reference_object) is None:
            raise InputError({"reference_object": _("Choose what kind of record this field points at.")})
    else:
        reference_object = None
    default = _check_default(type, options, default)
    position = (db.session.scalar(select(func.max(FieldDefinition.position))
                                  .where(FieldDefinition.object_id == obj.id)) or 0) + 10
    row = FieldDefinition(object_id=obj.id, key=key, type=type, labels=labels,
                          help_texts={c: t.strip() for c, t in (help_texts or {}).items() if t and t.strip()},
                          options=options, required=bool(required), unique=bool(unique), default=default,
                          group=(group or "").strip()[:80] or None, position=position, hidden=bool(hidden),
                          filterable=bool(filterable), is_system=False, reference_object=reference_object)
    db.session.add(row)
    db.session.flush()
    bump_version()
    return row


def update_field(row: FieldDefinition, *, labels: dict | None = None, options=None, required: bool | None = None,
                 unique: bool | None = None, default: Any = None, help_texts: dict | None = None,
                 group: str | None = None, hidden: bool | None = None, filterable: bool | None = None) -> FieldDefinition:
    """Change a field's labels and settings (not its key or type: see change_type)."""
    if labels is not None:
        row.labels = _labels(labels)
    if help_texts is not None:
        row.help_texts = {c: t.strip() for c, t in help_texts.items() if t and t.strip()}
    if options is not None and not row.is_system:
        parsed = parse_options(options)
        _check_options(row.type, parsed)
        row.options = parsed
    if not row.is_system:
        if required is not None:
            row.required = bool(required)
        if unique is not None:
            row.unique = bool(unique)
        row.default = _check_default(row.type, row.options or [], default)
    if group is not None:
        row.group = group.strip()[:80] or None
    if hidden is not None:
        if hidden and row.required and row.is_system:
            raise InputError({"hidden": _("A required standard field cannot be hidden.")})
        row.hidden = bool(hidden)
    if filterable is not None:
        row.filterable = bool(filterable)
    db.session.flush()
    bump_version()
    return row


def reorder(object_key: str, field_ids: list[int]) -> None:
    """Lay the object's fields out in the order of `field_ids` (others keep theirs, after them)."""
    obj = object_definition(object_key)
    if obj is None:
        raise InputError({"object": _("Unknown object.")}, status=404)
    rows = {r.id: r for r in db.session.scalars(select(FieldDefinition).where(FieldDefinition.object_id == obj.id))}
    ordered = [rows[i] for i in dict.fromkeys(field_ids) if i in rows]
    rest = sorted((r for r in rows.values() if r not in ordered), key=lambda r: (r.position, r.id))
    for position, row in enumerate(ordered + rest):
        row.position = (position + 1) * 10
    db.session.flush()
    bump_version()


def get_field_row(field_id: int) -> FieldDefinition | None:
    """A live field definition of the workspace in context by id, or None."""
    return db.session.scalar(select(FieldDefinition).where(FieldDefinition.id == field_id,
                                                           FieldDefinition.removed_at.is_(None)))


def object_key_of(row: FieldDefinition) -> str:
    return db.session.scalar(select(ObjectDefinition.key).where(ObjectDefinition.id == row.object_id))


def snapshot(row: FieldDefinition) -> Field:
    """A Field snapshot of a definition row (for the query builder's expressions)."""
    object_key = object_key_of(row)
    return _snapshot(row, object_key, object_type(object_key))
