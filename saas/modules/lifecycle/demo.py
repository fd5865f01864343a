"""Demo data for `saas demo`: rules from the templates, an action, customers' paths spread over
the past year (history rows with past timestamps, so the analytics show trends), then a real
re-evaluation so the board reflects the rules."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Contact, Order
from saas.modules.lifecycle import actions, rules, stages
from saas.modules.lifecycle.models import Evaluation, LifecycleMove

NAMES = ["王伟", "李娜", "张磊", "刘洋", "陈静", "杨帆", "赵敏", "黄强", "周婷", "吴昊", "孙丽", "朱军", "胡霞",
         "郭涛", "林芳", "何勇", "高洁", "罗斌", "Emily Carter", "James Wilson", "Sophie Martin", "Daniel Kim",
         "Olivia Brown", "Lucas Rossi", "Mei Chen", "Kenji Sato"]


def _customers(workspace, rng, today: date) -> None:
    """Customers with orders in different rhythms, when the workspace has few of its own."""
    from saas.plugin_api import member_choices

    owners = [uid for uid, _name in member_choices()] or [None]
    for n in range(120):
        contact = Contact(name=f"{rng.choice(NAMES)} {n + 1}", owner_id=rng.choice(owners), tags=[], custom={})
        db.session.add(contact)
        db.session.flush()
        rhythm = rng.choice((0, 0, 20, 35, 60, 90))          # days between orders; 0: never ordered
        if not rhythm:
            continue
        day = today - timedelta(days=rng.randint(30, 420))
        stop = today - timedelta(days=rng.choice((0, 0, 0, 60, 150, 400)))   # some stopped buying
        count = 0
        while day <= min(today, stop):
            count += 1
            db.session.add(Order(number=f"LC-{contact.id}-{count}", contact_id=contact.id, ordered_on=day,
                                 amount=Decimal(rng.randint(200, 6000)), currency="CNY", status="paid",
                                 owner_id=contact.owner_id, custom={}))
            day += timedelta(days=max(5, int(rng.gauss(rhythm, rhythm / 4))))
    db.session.flush()


def _paths(rng, today: date) -> None:
    """A path for every customer over the past year, written straight into the history."""
    keys = [s.key for s in definitions.stages()]
    kinds = {s.key: s.kind for s in definitions.stages()}
    forward = [k for k in keys if kinds[k] in ("prospect", "customer")]
    risky = [k for k in keys if kinds[k] == "at_risk"]
    lost = [k for k in keys if kinds[k] == "lost"]
    rows = []
    for contact_id in db.session.scalars(select(Contact.id)):
        moment = datetime.combine(today - timedelta(days=rng.randint(60, 365)), time(9), tzinfo=timezone.utc)
        previous, index = None, 0
        while moment.date() < today - timedelta(days=3):
            stage = forward[index]
            rows.append(LifecycleMove(contact_id=contact_id, from_stage=previous, to_stage=stage,
                                      source="start" if previous is None else "rule", moved_at=moment))
            previous = stage
            moment += timedelta(days=rng.randint(10, 70), hours=rng.randint(0, 8))
            roll = rng.random()
            if roll < 0.55 and index + 1 < len(forward):
                index += 1
            elif roll < 0.7 and risky and previous not in risky:
                rows.append(LifecycleMove(contact_id=contact_id, from_stage=previous, to_stage=risky[0],
                                          source="rule", moved_at=moment))
                previous = risky[0]
                moment += timedelta(days=rng.randint(10, 60))
                if rng.random() < 0.5 and lost:
                    rows.append(LifecycleMove(contact_id=contact_id, from_stage=previous, to_stage=lost[0],
                                              source="rule", moved_at=moment))
                    previous = lost[0]
                    break
            elif roll > 0.9:
                break
        if previous:
            db.session.get(Contact, contact_id).lifecycle_stage = previous
    db.session.add_all(rows)
    db.session.flush()


def fill(workspace, rng) -> None:
    """Rules, an action on the at-risk stage, a year of history and a fresh evaluation."""
    from saas.modules.lifecycle import evaluation

    today = datetime.now(timezone.utc).date()
    stages.ensure_stages()
    if (db.session.scalar(select(func.count()).select_from(Contact)) or 0) < 30:
        _customers(workspace, rng, today)
    for key in ("lapsed", "overdue", "big_spender", "repeat_buyer"):
        rules.add_template_rule(key)
    at_risk = next((s for s in definitions.stages() if s.kind == "at_risk"), None)
    if at_risk is not None:
        actions.add_action(at_risk, "enter", "task", {"subject": "Retention call: ask how we can help", "due_days": 3})
    _paths(rng, today)
    run = Evaluation(trigger="manual", status="running", steps_done=0, steps_total=3, moved=0)
    db.session.add(run)
    db.session.flush()
    run.moved = evaluation.evaluate_all(run.id)
    actions.run_for_evaluation(run.id)
    run.status, run.steps_done, run.finished_at = "done", 3, datetime.now(timezone.utc)
    db.session.flush()
