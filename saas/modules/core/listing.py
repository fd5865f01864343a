"""What a record list shows: columns, filters and sort from the URL or a saved view."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field, field_map, visible_fields
from saas.metadata.objects import object_type
from saas.metadata.query import Filter
from saas.modules.core.models import SavedView


@dataclass
class ListState:
    columns: list[str]
    filters: list[Filter] = field(default_factory=list)
    sort: str | None = None
    view: SavedView | None = None

    def query_args(self) -> MultiDict:
        """The URL arguments that reproduce this state."""
        args = MultiDict()
        for key in self.columns:
            args.add("columns", key)
        for flt in self.filters:
            args.add("ff", flt.field)
            args.add("fo", flt.op)
            value = flt.value
            args.add("fv", ",".join(map(str, value)) if isinstance(value, (list, tuple)) else ("" if value is None else str(value)))
        if self.sort:
            args.add("sort", self.sort)
        return args


def default_columns(object_key: str) -> list[str]:
    spec = object_type(object_key)
    known = {f.key for f in visible_fields(object_key)}
    columns = [k for k in spec.default_columns if k in known]
    return columns or [f.key for f in visible_fields(object_key)][:6]


def state_from_args(object_key: str, args: MultiDict, user_id: int) -> ListState:
    """The list state asked for in the URL (a saved view, then explicit columns/filters/sort)."""
    view = None
    if args.get("view", type=int):
        view = saved_view(object_key, args.get("view", type=int), user_id)
    known = field_map(object_key)
    if view is not None and not any(k in args for k in ("columns", "ff", "sort")):
        columns = [k for k in view.columns if k in known] or default_columns(object_key)
        filters = [Filter(f["field"], f["op"], f.get("value")) for f in view.filters if f.get("field") in known]
        return ListState(columns, filters, view.sort, view)
    columns = [k for k in args.getlist("columns") if k in known] or default_columns(object_key)
    filters = []
    for key, op, value in zip(args.getlist("ff"), args.getlist("fo"), args.getlist("fv") + [""] * 50):
        if key and op:
            filters.append(Filter(key, op, value))
    sort = args.get("sort") or None
    return ListState(columns, filters, sort, view)


def visible_views(object_key: str, user_id: int) -> list[SavedView]:
    """Views of this list the user may use: their own and the shared ones."""
    return list(db.session.scalars(
        select(SavedView).where(SavedView.object_key == object_key,
                                or_(SavedView.user_id == user_id, SavedView.shared.is_(True)))
        .order_by(SavedView.name)))


def saved_view(object_key: str | None, view_id: int, user_id: int) -> SavedView | None:
    """A view the user may use, or None."""
    statement = select(SavedView).where(SavedView.id == view_id,
                                        or_(SavedView.user_id == user_id, SavedView.shared.is_(True)))
    if object_key:
        statement = statement.where(SavedView.object_key == object_key)
    return db.session.scalar(statement)


def save_view(object_key: str, name: str, state: ListState, user_id: int, shared: bool) -> SavedView:
    """Keep the list's columns, filters and sort under a name, for the user or for everyone."""
    name = (name or "").strip()
    if not name:
        raise InputError({"name": _("Give the view a name.")})
    from saas.metadata.query import build_query

    build_query(object_key, state.filters, state.sort, state.columns)   # refuses what would not run
    view = SavedView(object_key=object_key, name=name[:120], user_id=user_id, shared=bool(shared),
                     columns=list(state.columns), sort=state.sort,
                     filters=[{"field": f.field, "op": f.op, "value": f.value} for f in state.filters])
    db.session.add(view)
    db.session.flush()
    return view


def delete_view(view: SavedView, user_id: int, may_manage: bool) -> None:
    """Delete a saved view: your own, or a shared one if you manage settings."""
    if view.user_id != user_id and not may_manage:
        raise InputError(message=_("Only its author or an admin can delete this view."), status=403)
    db.session.delete(view)
    db.session.flush()


def form_values(fields: list[Field], form: MultiDict, only: set[str] | None = None) -> dict[str, Any]:
    """A record form's strings as schema input: '' is empty, checkboxes and multi-selects read right."""
    data: dict[str, Any] = {}
    for f in fields:
        if not f.editable or (only is not None and f.key not in only):
            continue
        if f.type == "boolean":
            data[f.key] = f.key in form and form.get(f.key) not in ("", "0", "false", "off")
        elif f.type == "multi_select":
            data[f.key] = [v for v in form.getlist(f.key) if v] or None
        else:
            value = form.get(f.key, "")
            data[f.key] = value.strip() if value.strip() else None
    return data
