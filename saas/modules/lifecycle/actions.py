"""What happens when a customer enters or leaves a stage: a task for the owner, a tag, a mail to
the owner, the webhook event `lifecycle.stage_changed`. Defined per stage by admins; run for the
moves of an event at once and for the moves of a full re-evaluation in chunks."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.bulk import any_of
from saas.modules.core.models import Activity, Contact
from saas.modules.lifecycle.models import ACTION_KINDS, TRIGGERS, LifecycleMove, StageAction

ACTION_LABELS = {"task": _l("Create a task for the owner"), "tag": _l("Add a tag"),
                 "notify": _l("Notify the owner by mail"), "webhook": _l("Send the webhook event")}
TRIGGER_LABELS = {"enter": _l("When a customer enters"), "leave": _l("When a customer leaves")}
EVENT = "lifecycle.stage_changed"
CHUNK = 500


def actions_of(stage) -> list[StageAction]:
    """A stage's actions, in the order they were added."""
    return list(db.session.scalars(select(StageAction).where(StageAction.stage_id == stage.id)
                                   .order_by(StageAction.id)))


def get_action(action_id: int) -> StageAction | None:
    return db.session.scalar(select(StageAction).where(StageAction.id == action_id))


def add_action(stage, trigger: str, kind: str, params: dict) -> StageAction:
    """A new action on a stage; InputError per field when it is incomplete."""
    errors: dict = {}
    if trigger not in TRIGGERS:
        errors["trigger"] = _("Choose when it happens.")
    if kind not in ACTION_KINDS:
        errors["kind"] = _("Choose what happens.")
    cleaned: dict = {}
    if kind == "task":
        cleaned["subject"] = (params.get("subject") or "").strip()[:200]
        if not cleaned["subject"]:
            errors["subject"] = _("Give the task a subject.")
        try:
            cleaned["due_days"] = int(params.get("due_days") or 0)
            if not 0 <= cleaned["due_days"] <= 365:
                raise ValueError
        except ValueError:
            errors["due_days"] = _("Enter a number of days from 0 to 365.")
    elif kind == "tag":
        cleaned["tag"] = (params.get("tag") or "").strip()[:40]
        if not cleaned["tag"]:
            errors["tag"] = _("Enter the tag to add.")
    if errors:
        raise InputError(errors)
    row = StageAction(stage_id=stage.id, trigger=trigger, kind=kind, params=cleaned)
    db.session.add(row)
    db.session.flush()
    return row


def delete_action(action: StageAction) -> None:
    db.session.delete(action)
    db.session.flush()


def _actions_by_stage() -> dict[tuple[str, str], list[StageAction]]:
    stage_keys = {s.id: s.key for s in definitions.stages()}
    out: dict = defaultdict(list)
    for action in db.session.scalars(select(StageAction).order_by(StageAction.id)):
        if action.stage_id in stage_keys:
            out[(action.trigger, stage_keys[action.stage_id])].append(action)
    return out


def _evaluation_moves(evaluation_id: int, by_stage: dict):
    """The moves of a full re-evaluation that enter or leave a stage with actions, in order."""
    entering = [key for trigger, key in by_stage if trigger == "enter"]
    leaving = [key for trigger, key in by_stage if trigger == "leave"]
    return (select(LifecycleMove).where(LifecycleMove.evaluation_id == evaluation_id,
                                        or_(LifecycleMove.to_stage.in_(entering),
                                            LifecycleMove.from_stage.in_(leaving)))
            .order_by(LifecycleMove.id))


def count_for_evaluation(evaluation_id: int) -> int:
    """How many of a full re-evaluation's moves have actions to run (the progress bar's measure)."""
    by_stage = _actions_by_stage()
    if not by_stage:
        return 0
    moves = _evaluation_moves(evaluation_id, by_stage).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(moves)) or 0


def run_for_evaluation(evaluation_id: int, progress=None) -> int:
    """Run the actions of a full re-evaluation's moves, a chunk at a time; returns how many moves had
    some. `progress(done)` is called after each chunk."""
    by_stage = _actions_by_stage()
    if not by_stage:
        return 0
    statement = _evaluation_moves(evaluation_id, by_stage)
    done, last_id = 0, 0
    while True:
        chunk = list(db.session.scalars(statement.where(LifecycleMove.id > last_id).limit(CHUNK)))
        if not chunk:
            return done
        run_for_moves(chunk, by_stage)
        db.session.flush()
        done += len(chunk)
        last_id = chunk[-1].id
        if progress is not None:
            progress(done)


def run_for_moves(moves: Iterable[LifecycleMove], by_stage: dict | None = None) -> None:
    """Run the enter and leave actions of these moves (within the caller's transaction)."""
    moves = list(moves)
    by_stage = _actions_by_stage() if by_stage is None else by_stage
    if not moves or not by_stage:
        return
    contacts = {c.id: c for c in db.session.scalars(select(Contact).where(
        any_of(Contact.id, {m.contact_id for m in moves})))}
    stages = definitions.stage_map()
    mails: dict = defaultdict(list)
    for move in moves:
        contact = contacts.get(move.contact_id)
        if contact is None:
            continue
        todo = by_stage.get(("leave", move.from_stage), []) + by_stage.get(("enter", move.to_stage), [])
        for action in todo:
            if action.kind == "task":
                _task(contact, action, move)
            elif action.kind == "tag":
                tag = action.params.get("tag")
                if tag and tag not in (contact.tags or []):
                    contact.tags = [*(contact.tags or []), tag]
            elif action.kind == "notify" and contact.owner_id:
                mails[contact.owner_id].append((contact, move))
            elif action.kind == "webhook":
                _webhook(contact, move, stages)
    for owner_id, items in mails.items():
        _mail_owner(owner_id, items, stages)


def _task(contact: Contact, action: StageAction, move: LifecycleMove) -> None:
    # Written directly (not through the record services): a task must not re-trigger the evaluation.
    moved_on = (move.moved_at.date() if move.moved_at else None)
    from saas.modules.lifecycle.evaluation import utcnow

    moved_on = moved_on or utcnow().date()
    db.session.add(Activity(kind="task", subject=action.params.get("subject") or _("Follow up"),
                            body=_("Created by the lifecycle stage change to %(stage)s.", stage=move.to_stage),
                            contact_id=contact.id, company_id=contact.company_id, owner_id=contact.owner_id,
                            due_on=moved_on + timedelta(days=int(action.params.get("due_days") or 0)),
                            done=False, custom={}))


def _webhook(contact: Contact, move: LifecycleMove, stages: dict) -> None:
    from saas.modules.webhooks.services import emit

    emit(EVENT, {"contact": {"id": contact.id, "name": contact.name, "owner_id": contact.owner_id},
                 "from": move.from_stage, "to": move.to_stage, "source": move.source,
                 "rule": move.rule_name, "user_id": move.user_id,
                 "moved_at": move.moved_at.isoformat() if move.moved_at else None})


def _mail_owner(owner_id: int, items: list, stages: dict) -> None:
    from saas.plugin_api import external_url, member_email, send_mail

    to = member_email(owner_id)
    if not to:
        return
    lines = []
    for contact, move in items[:100]:
        stage = stages.get(move.to_stage)
        lines.append(f"- {contact.name}: {stage.label('en') if stage else move.to_stage}")
    if len(items) > 100:
        lines.append(_("… and %(n)d more", n=len(items) - 100))
    subject = _("%(n)d of your customers changed lifecycle stage", n=len(items))
    send_mail(to, subject, "\n".join(lines) + "\n\n" + _("See the lifecycle board:") + " " +
              external_url("lifecycle.board", workspace_slug=_workspace_slug()))


def _workspace_slug() -> str:
    from saas.plugin_api import current_workspace

    return current_workspace().slug
