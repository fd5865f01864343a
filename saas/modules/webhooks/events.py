"""The events a webhook can subscribe to: "<object>.created|updated|deleted" for every object
the API serves, plus the events modules declare (`register_event(app, "deal.won", label)`)."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

CHANGES = {"created": _l("created"), "updated": _l("updated"), "deleted": _l("deleted")}
ALL = "*"
PING = "ping"


def register_event(app: Flask, name: str, label) -> None:
    """Let webhooks subscribe to `name` (a module raises it with saas.modules.webhooks.services.emit)."""
    app.extensions.setdefault("saas_webhook_events", {})[name] = label


def event_choices() -> list[tuple[str, str]]:
    """(event name, label) for the subscription form, every event first."""
    from saas.api.objects import api_objects
    from saas.metadata.i18n import pick

    choices = [(ALL, str(_l("Every event")))]
    for obj in api_objects().values():
        for change, label in CHANGES.items():
            choices.append((f"{obj.key}.{change}", f"{pick(obj.spec.labels)} {label}"))
    for name, label in current_app.extensions.get("saas_webhook_events", {}).items():
        choices.append((name, str(label)))
    return choices


def known_events() -> set[str]:
    return {name for name, _label in event_choices()}
