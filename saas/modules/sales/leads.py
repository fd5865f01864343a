"""Lead services: assignment rules (round robin, or by a field's value) applied to every new lead,
however it was created (pages, API, import), and converting a lead into a contact, a company and
a deal in one transaction."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from saas.plugin_api import (InputError, _, create_record, db, get_record, member_choices, object_fields, pipelines,
                             update_record)
from saas.modules.sales.deals import create_deal
from saas.modules.sales.models import RULE_KINDS, AssignmentRule, Lead

OPEN_STATUSES = ("new", "contacted", "qualified")


# --- assignment rules -----------------------------------------------------------------------------

def rules() -> list[AssignmentRule]:
    """The workspace's rules in the order they are tried."""
    return list(db.session.scalars(select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)))


def get_rule(rule_id: int) -> AssignmentRule | None:
    return db.session.scalar(select(AssignmentRule).where(AssignmentRule.id == rule_id))


def _members() -> set[int]:
    return {user_id for user_id, _name in member_choices()}


def _lead_field_keys() -> set[str]:
    return {f.key for f in object_fields("lead")}


def save_rule(rule: AssignmentRule | None, *, name: str, kind: str, user_ids: list[int] | None = None,
              field_key: str | None = None, mapping: dict | None = None, active: bool = True) -> AssignmentRule:
    """Create or change a rule; bad input raises InputError with a message per form field."""
    errors = {}
    name = (name or "").strip()[:120]
    if not name:
        errors["name"] = _("Give the rule a name.")
    if kind not in RULE_KINDS:
        errors["kind"] = _("Choose how the rule assigns leads.")
    members = _members()
    user_ids = [int(u) for u in dict.fromkeys(user_ids or []) if int(u) in members]
    mapping = {str(k).strip(): int(v) for k, v in (mapping or {}).items() if str(k).strip() and v}
    if kind == "round_robin" and not user_ids:
        errors["user_ids"] = _("Choose at least one member to take turns.")
    if kind == "field":
        if not field_key or field_key not in _lead_field_keys():
            errors["field_key"] = _("Choose a field of leads.")
        if not mapping:
            errors["mapping"] = _("Give at least one value and the member who gets it.")
        elif any(user_id not in members for user_id in mapping.values()):
            errors["mapping"] = _("Every value must go to a member of this workspace.")
    if errors:
        raise InputError(errors)
    if rule is None:
        position = (db.session.scalar(select(func.max(AssignmentRule.position))) or 0) + 10
        rule = AssignmentRule(position=position, next_index=0)
        db.session.add(rule)
    rule.name, rule.kind, rule.active = name, kind, bool(active)
    rule.user_ids = user_ids if kind == "round_robin" else []
    rule.field_key = field_key if kind == "field" else None
    rule.mapping = mapping if kind == "field" else {}
    db.session.flush()
    return rule


def delete_rule(rule: AssignmentRule) -> None:
    from sqlalchemy import update

    db.session.execute(update(Lead).where(Lead.assignment_rule_id == rule.id).values(assignment_rule_id=None))
    db.session.delete(rule)
    db.session.flush()


def parse_mapping(text: str) -> dict[str, str]:
    """"value = e-mail or name" lines (as typed on the rules page) into {value: user id}."""
    by_name = {}
    from saas.plugin_api import member_email

    for user_id, name in member_choices():
        by_name[name.strip().lower()] = user_id
        email = member_email(user_id)
        if email:
            by_name[email.lower()] = user_id
    mapping, unknown = {}, []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _sep, who = line.partition("=")
        user_id = by_name.get(who.strip().lower())
        if not value.strip() or user_id is None:
            unknown.append(line.strip())
            continue
        mapping[value.strip()] = user_id
    if unknown:
        raise InputError({"mapping": _("Not understood (write “value = member's e-mail”): %(lines)s",
                                       lines="; ".join(unknown[:3]))})
    return mapping


def _value(lead: Lead, field_key: str):
    if hasattr(Lead, field_key) and field_key != "custom":
        return getattr(lead, field_key)
    return (lead.custom or {}).get(field_key)


def choose_owner(lead: Lead) -> tuple[int, AssignmentRule] | None:
    """The owner the first matching active rule gives the lead (advancing a round robin), or None."""
    members = _members()
    for rule in db.session.scalars(select(AssignmentRule).where(AssignmentRule.active.is_(True))
                                   .order_by(AssignmentRule.position, AssignmentRule.id).with_for_update()):
        if rule.kind == "field":
            value = _value(lead, rule.field_key or "")
            values = value if isinstance(value, list) else [value]
            for candidate in values:
                user_id = (rule.mapping or {}).get(str(candidate)) if candidate not in (None, "") else None
                if user_id in members:
                    return user_id, rule
        elif rule.kind == "round_robin":
            turn = [u for u in rule.user_ids or [] if u in members]
            if not turn:
                continue
            index = (rule.next_index or 0) % len(turn)
            rule.next_index = index + 1
            return turn[index], rule
    return None


def assign(lead: Lead) -> Lead:
    """Apply the rules to a new lead once (the record hook may fire twice for one creation)."""
    if lead.assignment_rule_id is not None:
        return lead
    chosen = choose_owner(lead)
    if chosen is not None:
        lead.owner_id, lead.assignment_rule_id = chosen[0], chosen[1].id
        db.session.flush()
    return lead


def on_lead_created(record_id: int) -> None:
    """The record_changed hook for a new lead: assign it."""
    lead = get_record("lead", record_id)
    if lead is not None:
        assign(lead)


# --- reading and converting -----------------------------------------------------------------------

def open_leads(owner_id: int | None = None, limit: int = 200) -> list[Lead]:
    """Leads not yet converted or disqualified, newest first."""
    statement = select(Lead).where(Lead.status.in_(OPEN_STATUSES))
    if owner_id:
        statement = statement.where(Lead.owner_id == owner_id)
    return list(db.session.scalars(statement.order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)))


def convert(lead: Lead, user_id: int | None, *, deal_name: str | None = None, amount=None, currency: str = "CNY",
            stage_id: int | None = None, expected_close_on=None, create_deal_too: bool = True) -> dict:
    """Turn a lead into a company (when it names one), a contact and, unless told not to, a deal;
    the caller commits once, so it all happens or nothing does. Returns the new records."""
    if lead.status == "converted":
        raise InputError(message=_("This lead was converted already."), status=409)
    errors: dict[str, str] = {}
    if create_deal_too:
        stage = pipelines.get_stage(int(stage_id)) if stage_id else None
        if stage is None or stage.pipeline.object_key != "deal":
            errors["stage_id"] = _("Choose the stage the deal starts in.")
    if errors:
        raise InputError(errors)
    owner = lead.owner_id or user_id
    company = None
    if lead.company_name:
        company = create_record("company", {"name": lead.company_name, "owner": owner}, user_id=user_id)
    contact = create_record("contact", {"name": lead.name, "email": lead.email, "phone": lead.phone,
                                        "company": company.id if company else None, "owner": owner},
                            user_id=user_id)
    deal = None
    if create_deal_too:
        try:
            deal = create_deal({"name": (deal_name or "").strip() or (lead.company_name or lead.name),
                                "amount": amount, "currency": currency, "stage": stage.id,
                                "expected_close_on": expected_close_on or None,
                                "company": company.id if company else None, "owner": owner},
                               user_id, contact_ids=[contact.id])
        except InputError as exc:
            # The deal's fields sit on the conversion form under their own names.
            raise InputError({("deal_name" if k == "name" else k): v for k, v in exc.fields.items()},
                             message=exc.message) from None
    update_record("lead", lead, {"status": "converted"}, user_id=user_id)
    lead.converted_contact_id = contact.id
    lead.converted_company_id = company.id if company else None
    lead.converted_deal_id = deal.id if deal else None
    lead.converted_at = datetime.now(timezone.utc)
    db.session.flush()
    return {"contact": contact, "company": company, "deal": deal}
