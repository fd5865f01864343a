"""JSON in and out with orjson: API lists serialise thousands of values per response, and
PostgreSQL hands back every custom value as JSON to parse.

Anything orjson does not know natively (Decimal, datetimes, dataclasses, lazy strings) goes to
Flask's own `default`, so the output is what Flask's stdlib provider gives, only faster.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:        # indent, sort_keys ... asked for explicitly: the stdlib honours them all
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s) if not kwargs else super().loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=self.default, option=_OPTIONS),
                                        mimetype=self.mimetype)


def init_app(app) -> None:
    app.json = OrjsonProvider(app)
    import psycopg.types.json

    psycopg.types.json.set_json_loads(orjson.loads)
