"""Query-string parameters of list requests: limit, cursor, sort, fields and filters.

Filters read `filter[<field>]=<value>` (equals) or `filter[<field>][<operator>]=<value>`;
`in` takes a comma-separated list, `between` "from,to" (either end may be empty), `empty` and
`not_empty` no value. The query builder checks fields, operators and values (400 when bad).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from saas.errors import InputError
from saas.metadata.query import MAX_LIMIT, Filter
from saas.metadata.types import OPERATORS

DEFAULT_LIMIT = 50
FILTER_RE = re.compile(r"^filter\[([A-Za-z0-9_]+)\](?:\[([A-Za-z_]+)\])?$")
LIST_PARAMS = {"limit", "cursor", "sort", "fields"}


@dataclass
class ListParams:
    limit: int
    cursor: str | None
    sort: str | None
    fields: list[str] | None
    filters: list[Filter]


def _bad(name: str, message: str, code: str = "bad_parameter") -> InputError:
    return InputError({name: message}, code=code, status=400)


def parse_limit(args: MultiDict) -> int:
    raw = args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit():
        raise _bad("limit", _("Give limit as a whole number from 1 to %(max)s.", max=MAX_LIMIT), "bad_limit")
    limit = int(raw)
    if not 1 <= limit <= MAX_LIMIT:
        raise _bad("limit", _("Give limit as a whole number from 1 to %(max)s.", max=MAX_LIMIT), "bad_limit")
    return limit


def parse_list_params(args: MultiDict) -> ListParams:
    """The list parameters of a request; unknown parameters answer 400."""
    filters = []
    for name in args:
        if name in LIST_PARAMS:
            continue
        match = FILTER_RE.match(name)
        if not match:
            raise _bad(name, _("Unknown parameter “%(name)s”.", name=name))
        key, op = match.group(1), (match.group(2) or "eq")
        if op not in OPERATORS:
            raise _bad(name, _("Unknown filter operator “%(op)s”.", op=op), "bad_filter")
        for value in args.getlist(name):
            filters.append(Filter(key, op, value))
    fields = None
    if args.get("fields") is not None:
        fields = [f.strip() for f in args["fields"].split(",") if f.strip()]
    sort = (args.get("sort") or "").strip() or None
    cursor = args.get("cursor") or None
    return ListParams(parse_limit(args), cursor, sort, fields, filters)
