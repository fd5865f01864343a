"""A plugin adds a condition type through the lifecycle_conditions hook; rules use it like a built-in."""
from __future__ import annotations

import pytest

from saas.metadata import lifecycle as definitions
from saas.modules.lifecycle.conditions import condition_types
from saas.plugins import hookimpl, platform
from tests.lifecycle.helpers import contact, rule, stage_of


class TicketsPlugin:
    """An in-test plugin: "has an id above" stands in for a ticket module's "opened a ticket"."""

    @staticmethod
    @hookimpl
    def lifecycle_conditions(workspace):
        def sql(contact_table, params, today):
            return contact_table.c.id > params["above"]
        return [{"key": "ticket_opened", "label": "Opened a ticket",
                 "params": [{"name": "above", "label": "above", "type": "integer", "default": 0, "minimum": 0}],
                 "sql": sql}]


@pytest.fixture
def tickets_plugin(app, monkeypatch):
    p = platform()
    p.pm.register(TicketsPlugin, name="tickets")
    monkeypatch.setattr("saas.plugins.enabled_plugins", lambda workspace: [*p.plugins, "tickets"])
    yield
    p.pm.unregister(name="tickets")


def test_a_plugin_condition_is_offered_and_evaluated(tenant, tickets_plugin):
    types = condition_types()
    assert types["ticket_opened"].plugin == "tickets" and "order_count" in types
    first = contact("First")
    rule("Ticket", definitions.stage_map()["at_risk"], [{"type": "ticket_opened", "above": first.id}])
    second = contact("Second")
    assert stage_of(second.id) == "at_risk" and stage_of(first.id) == "awareness"
