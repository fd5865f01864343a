"""Lifecycle rule conditions on customer value: the RFM segment, and the probability that the
customer is still active ("p_alive below 0.3" is a churn-risk rule). Both read the values the
customer value job keeps on the contact, so a customer without them matches neither."""
from __future__ import annotations

from sqlalchemy import Float, Text, cast, func, literal_column

from saas.plugin_api import _l, db, pick_label
from saas.modules.analytics.rfm import SEGMENTS

COMPARE = (("below", _l("below")), ("at_least", _l("at least")))


def _value(contact, key: str, number: bool = False):
    # The same expressions as the query builder's for a value kept in the custom JSON.
    if db.session.get_bind().dialect.name == "postgresql":
        raw = contact.c.custom.op("->>", return_type=Text)(literal_column(f"'{key}'"))
        return cast(raw, Float) if number else raw
    return func.json_extract(contact.c.custom, literal_column(f"'$.{key}'"), type_=Float() if number else Text())


def _segment_sql(contact, params: dict, today):
    return _value(contact, "rfm_segment") == params["segment"]


def _p_alive_sql(contact, params: dict, today):
    value = _value(contact, "p_alive", number=True)
    threshold = float(params["probability"])
    return value < threshold if params["compare"] == "below" else value >= threshold


def conditions() -> list[dict]:
    """The condition types for the lifecycle rule editor (hook lifecycle_conditions)."""
    segments = [[key, pick_label(labels)] for key, labels in SEGMENTS.items()]
    return [
        {"key": "rfm_segment", "label": _l("RFM segment"),
         "params": [{"name": "segment", "label": _l("Segment"), "type": "choice", "choices": segments,
                     "default": "at_risk"}],
         "sql": _segment_sql},
        {"key": "p_alive", "label": _l("Probability the customer is still active"),
         "params": [{"name": "compare", "label": _l("Comparison"), "type": "choice",
                     "choices": [list(c) for c in COMPARE], "default": "below"},
                    {"name": "probability", "label": _l("Probability (0 to 1)"), "type": "number",
                     "default": 0.3, "minimum": 0}],
         "sql": _p_alive_sql},
    ]
