"""Stage actions: a task for the owner (once), a tag, a mail to the owner, the webhook event."""
from __future__ import annotations

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Activity
from saas.modules.lifecycle import actions, history, rules
from saas.mail import OutboxMessage
from tests.lifecycle.helpers import contact, full_run, order


def _run():
    return full_run()


def test_at_risk_customers_get_one_retention_task_for_their_owner(tenant):
    at_risk = definitions.stage_map()["at_risk"]
    rules.add_template_rule("overdue")
    actions.add_action(at_risk, "enter", "task", {"subject": "Retention call", "due_days": "3"})
    actions.add_action(at_risk, "enter", "tag", {"tag": "win-back"})
    actions.add_action(at_risk, "enter", "notify", {})
    db.session.commit()
    person = contact("Late buyer", owner_id=tenant.owner.id)
    for days in (100, 130, 160, 190):
        order(person.id, days, through_service=False)
    db.session.commit()
    assert _run().moved == 1
    assert _run().moved == 0          # the next night: no second task
    tasks = db.session.query(Activity).filter_by(contact_id=person.id, kind="task").all()
    assert [(t.subject, t.owner_id, t.done) for t in tasks] == [("Retention call", tenant.owner.id, False)]
    db.session.expire_all()
    assert "win-back" in history.get_contact(person.id).tags
    mails = db.session.query(OutboxMessage).filter_by(to=tenant.owner.email).all()
    assert len(mails) == 1 and "Late buyer" in mails[0].body


def test_incomplete_actions_are_refused(tenant):
    stage = definitions.stage_map()["loyalty"]
    with pytest.raises(InputError) as caught:
        actions.add_action(stage, "enter", "task", {"subject": "", "due_days": "x"})
    assert {"subject", "due_days"} <= set(caught.value.fields)
    with pytest.raises(InputError) as caught:
        actions.add_action(stage, "later", "sms", {})
    assert {"trigger", "kind"} <= set(caught.value.fields)


def test_the_webhook_action_emits_lifecycle_stage_changed(tenant):
    from saas.modules.webhooks import services as webhooks
    from saas.modules.webhooks.models import WebhookDelivery

    webhooks.create_webhook("https://example.com/hook", ["lifecycle.stage_changed"])
    actions.add_action(definitions.stage_map()["loyalty"], "enter", "webhook", {})
    db.session.commit()
    person = contact("孙丽")
    history.move_contact(person, "loyalty", tenant.owner.id)
    db.session.flush()
    delivery = db.session.query(WebhookDelivery).filter_by(event="lifecycle.stage_changed").one()
    assert delivery.payload["data"]["to"] == "loyalty" and delivery.payload["data"]["contact"]["id"] == person.id
    db.session.rollback()
