"""The plugin's per-workspace settings; Orchard draws the form from this schema."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from saas.plugin_api import _l
from birthday_greetings.calendar import HOLIDAYS

PLACEHOLDERS = _l("{name} is replaced by the contact's name, {workspace} by your workspace's.")


class GreetingSettings(Schema):
    send_birthdays = fields.Boolean(load_default=True, metadata={"label": _l("Greet contacts on their birthday")})
    holidays = fields.List(
        fields.String(validate=validate.OneOf(list(HOLIDAYS), labels=[label for label, _date in HOLIDAYS.values()])),
        load_default=lambda: ["spring_festival", "mid_autumn"],
        metadata={"label": _l("Greet every contact on these holidays")})
    birthday_subject = fields.String(load_default="Happy birthday, {name}!", validate=validate.Length(min=1, max=200),
                                     metadata={"label": _l("Birthday subject"), "description": PLACEHOLDERS})
    birthday_message = fields.String(
        load_default="Dear {name},\n\nAll of us at {workspace} wish you a very happy birthday!",
        validate=validate.Length(min=1, max=5000),
        metadata={"label": _l("Birthday message"), "multiline": True, "description": PLACEHOLDERS})
    holiday_subject = fields.String(load_default="{holiday} greetings from {workspace}",
                                    validate=validate.Length(min=1, max=200),
                                    metadata={"label": _l("Holiday subject"),
                                              "description": _l("{holiday} is replaced by the holiday's name.")})
    holiday_message = fields.String(
        load_default="Dear {name},\n\nHappy {holiday}! Thank you for being with us.\n\n{workspace}",
        validate=validate.Length(min=1, max=5000),
        metadata={"label": _l("Holiday message"), "multiline": True, "description": PLACEHOLDERS})
