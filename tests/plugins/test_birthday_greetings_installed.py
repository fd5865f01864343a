"""The example plugin as installed by the set-up, on the suite's database (PostgreSQL in CI):
its migration ran with the others, its job greets only in the workspace that enabled it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from saas.extensions import db
from saas.mail import OutboxMessage
from saas.modules.apps.scheduling import run_all_now
from saas.modules.core.models import Contact
from saas.plugins import platform
from saas.tenants.context import tenant_context
from tests.conftest import login
from tests.plugins.test_platform import enable


def test_installed_and_greeting_only_where_enabled(app, client, two_workspaces):
    a, b = two_workspaces
    assert platform().plugins["birthday_greetings"].source == "orchard-birthday-greetings"
    enable(a, "birthday_greetings")
    today = date.today().isoformat()
    for tenant in (a, b):
        with tenant_context(tenant.id):
            db.session.add(Contact(name=f"Friend of {tenant.slug}", email=f"friend@{tenant.slug}.example",
                                   custom={"birthday": today}))
            db.session.commit()
    (a_slug, a_email), (b_slug, b_email) = ((t.slug, t.owner.email) for t in (a, b))
    run_all_now()
    _work_off_jobs()  # a worker's job ends with session.remove(): a and b are detached from here
    sent = db.session.scalars(select(OutboxMessage.to).order_by(OutboxMessage.id)).all()
    assert sent == [f"friend@{a_slug}.example"]
    login(client, b_email)
    assert client.get(f"/w/{b_slug}/greetings/").status_code == 404
    login(client, a_email)
    assert client.get(f"/w/{a_slug}/greetings/").status_code == 200


def _work_off_jobs() -> None:
    # With Redis the per-workspace jobs wait in rq; without it they ran inline already.
    from rq import SimpleWorker

    from saas.jobs import QUEUES, redis_connection

    connection = redis_connection()
    if connection is not None:
        SimpleWorker(list(QUEUES), connection=connection).work(burst=True)
