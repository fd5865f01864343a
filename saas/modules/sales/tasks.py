"""Tasks on deals (core activities of kind "task", linked to the deal) and their reminders: on the
due date a mail goes to the task's owner through the platform's mail sender, once."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from saas.plugin_api import (Activity, InputError, _, create_record, db, external_url, get_record, member_email,
                             send_mail, update_record)
from saas.modules.sales.models import Deal, DealTask


def tasks_of(deal: Deal) -> list[tuple[DealTask, Activity]]:
    """The deal's tasks, open ones first, by due date."""
    rows = db.session.execute(
        select(DealTask, Activity).join(Activity, (Activity.id == DealTask.activity_id)
                                        & (Activity.tenant_id == DealTask.tenant_id))
        .where(DealTask.deal_id == deal.id)
        .order_by(Activity.done, Activity.due_on.is_(None), Activity.due_on, Activity.id))
    return [(link, activity) for link, activity in rows]


def add_task(deal: Deal, subject: str, due_on, owner_id: int | None, user_id: int | None) -> Activity:
    """A task on the deal, due on `due_on`, for `owner_id` (default: the deal's owner)."""
    if not due_on:
        raise InputError({"due_on": _("Give the task a due date.")})
    activity = create_record("activity", {"kind": "task", "subject": subject, "due_on": due_on,
                                          "owner": owner_id or deal.owner_id or user_id,
                                          "company": deal.company_id}, user_id=user_id)
    db.session.add(DealTask(deal_id=deal.id, activity_id=activity.id))
    db.session.flush()
    return activity


def get_task(task_id: int) -> tuple[DealTask, Activity] | None:
    """A deal task of the workspace in context by its link id, or None."""
    link = db.session.scalar(select(DealTask).where(DealTask.id == task_id))
    if link is None:
        return None
    return link, get_record("activity", link.activity_id)


def set_done(task_id: int, done: bool, user_id: int | None) -> DealTask | None:
    found = get_task(task_id)
    if found is None:
        return None
    update_record("activity", found[1], {"done": done}, user_id=user_id)
    return found[0]


def send_due_reminders(today: date | None = None) -> int:
    """Mail the owner of every open deal task due today or earlier that has had no reminder;
    idempotent (a task is reminded once). Runs daily for each workspace with sales enabled."""
    today = today or date.today()
    rows = db.session.execute(
        select(DealTask, Activity, Deal)
        .join(Activity, (Activity.id == DealTask.activity_id) & (Activity.tenant_id == DealTask.tenant_id))
        .join(Deal, (Deal.id == DealTask.deal_id) & (Deal.tenant_id == DealTask.tenant_id))
        .where(DealTask.reminded_on.is_(None), Activity.done.is_(False), Activity.due_on <= today)).all()
    sent = 0
    for link, activity, deal in rows:
        email = member_email(activity.owner_id or deal.owner_id)
        if email:
            url = external_url("sales.deal", deal_id=deal.id, workspace_slug=_slug())
            send_mail(email, _("Task due: %(subject)s", subject=activity.subject),
                      _("“%(subject)s” on the deal “%(deal)s” is due on %(date)s.\n\n%(url)s",
                        subject=activity.subject, deal=deal.name, date=activity.due_on.isoformat(), url=url))
            sent += 1
        link.reminded_on = today
    db.session.flush()
    return sent


def _slug() -> str:
    from saas.plugin_api import current_workspace

    return current_workspace().slug


def reminder_job() -> None:
    """The scheduled job: send today's reminders and commit (the platform runs it per workspace)."""
    send_due_reminders()
    db.session.commit()
