"""The sales pages: the kanban board, a deal's page (contacts, tasks), the lead inbox with its
convert form and assignment rules, and the forecast. Routes parse, call a service, render."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date

from saas.plugin_api import (InputError, _, can, db, member_choices, object_fields, permission_required,
                             pick_label, pipelines, record_history, require)
from saas.modules.sales import deals as deal_service
from saas.modules.sales import forecast as forecast_service
from saas.modules.sales import leads as lead_service
from saas.modules.sales import tasks as task_service
from saas.modules.sales.objects import CURRENCIES, OUTCOME_LABELS, SOURCE_LABELS, STATUS_LABELS

bp = Blueprint("sales", __name__, template_folder="templates")


def _user_id() -> int:
    return g.membership.user_id


def _pipeline_or_404(pipeline_id: int) -> pipelines.Pipeline:
    pipeline = pipelines.get_pipeline(pipeline_id)
    if pipeline is None or pipeline.object_key != "deal":
        abort(404)
    return pipeline


def _deal_or_404(deal_id: int):
    deal = deal_service.get_deal(deal_id)
    if deal is None:
        abort(404)
    return deal


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the board -----------------------------------------------------------------------------------

@bp.route("/board")
@permission_required("workspace.view")
def board_default():
    pipeline = pipelines.default_pipeline("deal")
    if pipeline is None:
        pipeline = pipelines.ensure_default_pipeline("deal")
        db.session.commit()
    return redirect(url_for(".board", pipeline_id=pipeline.id))


def _board_context(pipeline, **extra) -> dict:
    owner_id = _int(request.values.get("owner"))
    columns = deal_service.board(pipeline, owner_id=owner_id)
    all_deals = [d for column in columns for d in column.deals]
    return {"pipeline": pipeline, "pipelines": pipelines.pipelines("deal"), "columns": columns,
            "companies": deal_service.company_names(all_deals), "owners": dict(member_choices()),
            "owner_id": owner_id, "lost": None, **extra}


@bp.route("/pipelines/<int:pipeline_id>/board")
@permission_required("workspace.view")
def board(pipeline_id: int):
    pipeline = _pipeline_or_404(pipeline_id)
    return render_template("sales/board.html", **_board_context(pipeline))


@bp.route("/deals/<int:deal_id>/move", methods=["POST"])
@permission_required("records.edit")
def move(deal_id: int):
    """Drop a card on a stage: answers the board (htmx) or goes back to the deal's page."""
    deal = _deal_or_404(deal_id)
    stage_id = _int(request.form.get("stage_id"))
    lost, status = None, 200
    try:
        deal_service.move(deal, stage_id, _user_id(), reason=request.form.get("reason"))
        db.session.commit()
    except deal_service.ReasonNeeded as needed:
        db.session.rollback()
        lost = {"deal": needed.deal, "stage": needed.stage, "error": None}
    except InputError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        lost_stage = pipelines.get_stage(stage_id)
        lost = {"deal": deal, "stage": lost_stage, "error": exc.fields.get("reason") or exc.message}
        status = 200 if request.headers.get("HX-Request") else 422
    if not request.headers.get("HX-Request"):
        if lost is not None:
            return render_template("sales/lost_reason.html", lost=lost), 422 if lost["error"] else 200
        return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/")
                        else url_for(".deal", deal_id=deal.id))
    pipeline = pipelines.get_pipeline(deal.pipeline_id)
    return render_template("sales/_board.html", **_board_context(pipeline, lost=lost)), status


# --- a deal's page -------------------------------------------------------------------------------

@bp.route("/deals/<int:deal_id>")
@permission_required("workspace.view")
def deal(deal_id: int):
    deal = _deal_or_404(deal_id)
    fields = {f.key: f for f in object_fields("deal")}
    history = [h for h in record_history("deal", deal.id) if h.field_key in ("stage", "lost_reason", "amount",
                                                                               "expected_close_on", "owner")]
    stage_names = {s.id: str(s) for _p, stages in pipelines.stage_choices("deal") for s in stages}
    from saas.plugin_api import Contact
    from sqlalchemy import select

    all_contacts = db.session.execute(select(Contact.id, Contact.name).order_by(Contact.name).limit(500)).all()
    return render_template(
        "sales/deal.html", deal=deal, stage_choices=pipelines.stage_choices("deal"), fields=fields,
        contacts=deal_service.contacts_of(deal), all_contacts=all_contacts, tasks=task_service.tasks_of(deal),
        history=history, stage_names=stage_names, owners=dict(member_choices()),
        company=deal_service.company_names([deal]).get(deal.company_id), today=date.today())


@bp.route("/deals/<int:deal_id>/contacts", methods=["POST"])
@permission_required("records.edit")
def add_contact(deal_id: int):
    deal = _deal_or_404(deal_id)
    try:
        deal_service.add_contact(deal, _int(request.form.get("contact_id")) or 0)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".deal", deal_id=deal.id) + "#contacts")


@bp.route("/deals/<int:deal_id>/contacts/<int:contact_id>/remove", methods=["POST"])
@permission_required("records.edit")
def remove_contact(deal_id: int, contact_id: int):
    deal = _deal_or_404(deal_id)
    deal_service.remove_contact(deal, contact_id)
    db.session.commit()
    return redirect(url_for(".deal", deal_id=deal.id) + "#contacts")


@bp.route("/deals/<int:deal_id>/tasks", methods=["POST"])
@permission_required("records.edit")
def add_task(deal_id: int):
    deal = _deal_or_404(deal_id)
    try:
        task_service.add_task(deal, (request.form.get("subject") or "").strip(), request.form.get("due_on") or None,
                              _int(request.form.get("owner")), _user_id())
        db.session.commit()
        flash(_("Task added."), "success")
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".deal", deal_id=deal.id) + "#tasks")


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@permission_required("records.edit")
def task_done(task_id: int):
    link = task_service.set_done(task_id, request.form.get("done") != "0", _user_id())
    if link is None:
        abort(404)
    db.session.commit()
    return redirect(url_for(".deal", deal_id=link.deal_id) + "#tasks")


# --- leads ---------------------------------------------------------------------------------------

@bp.route("/leads")
@permission_required("workspace.view")
def leads():
    mine = request.args.get("mine") == "1"
    return render_template("sales/leads.html", leads=lead_service.open_leads(_user_id() if mine else None),
                           owners=dict(member_choices()), mine=mine, status_labels=STATUS_LABELS,
                           source_labels=SOURCE_LABELS)


@bp.route("/leads/<int:lead_id>/convert", methods=["GET", "POST"])
@permission_required("records.edit")
def convert(lead_id: int):
    from saas.plugin_api import get_record

    lead = get_record("lead", lead_id)
    if lead is None:
        abort(404)
    if lead.status == "converted":
        flash(_("This lead was converted already."), "warning")
        return redirect(url_for("leads.show", lead_id=lead.id))
    stage_choices = pipelines.stage_choices("deal")
    default_stage = pipelines.first_stage(pipelines.default_pipeline("deal")) if stage_choices else None
    values = {"deal_name": lead.company_name or lead.name, "amount": "", "currency": "CNY",
              "stage_id": default_stage.id if default_stage else None, "expected_close_on": "", "create_deal": True}
    errors: dict = {}
    if request.method == "POST":
        values.update({k: request.form.get(k, "") for k in ("deal_name", "amount", "currency", "expected_close_on")})
        values["stage_id"] = _int(request.form.get("stage_id"))
        values["create_deal"] = request.form.get("create_deal") == "1"
        try:
            made = lead_service.convert(lead, _user_id(), deal_name=values["deal_name"],
                                        amount=values["amount"] or None, currency=values["currency"],
                                        stage_id=values["stage_id"], expected_close_on=values["expected_close_on"],
                                        create_deal_too=values["create_deal"])
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            errors = exc.fields or {"_form": exc.message}
        else:
            flash(_("Lead converted."), "success")
            if made["deal"] is not None:
                return redirect(url_for(".deal", deal_id=made["deal"].id))
            return redirect(url_for("contacts.show", contact_id=made["contact"].id))
    return render_template("sales/convert.html", lead=lead, values=values, errors=errors,
                           stage_choices=stage_choices, currencies=CURRENCIES), 422 if errors else 200


@bp.route("/leads/assignment", methods=["GET", "POST"])
@permission_required("settings.manage")
def assignment():
    errors, form = {}, None
    if request.method == "POST":
        form = request.form
        try:
            _save_rule(None, form)
            db.session.commit()
            flash(_("Rule added."), "success")
            return redirect(url_for(".assignment"))
        except InputError as exc:
            db.session.rollback()
            errors = exc.fields or {"_form": exc.message}
    return _rules_page(errors=errors, form=form, status=422 if errors else 200)


def _rules_page(errors=None, form=None, status=200, editing=None):
    lead_fields = [f for f in object_fields("lead") if f.type in ("text", "single_select", "email", "phone")]
    rules, emails = lead_service.rules(), _member_emails()
    mapping_texts = {rule.id: "\n".join(f"{value} = {emails.get(user_id) or user_id}"
                                         for value, user_id in (rule.mapping or {}).items()) for rule in rules}
    return render_template("sales/assignment.html", rules=rules, members=member_choices(),
                           lead_fields=lead_fields, errors=errors or {}, form=form, editing=editing,
                           mapping_texts=mapping_texts), status


def _member_emails() -> dict[int, str]:
    from saas.plugin_api import member_email

    return {user_id: member_email(user_id) for user_id, _name in member_choices()}


def _save_rule(rule, form):
    kind = form.get("kind")
    mapping = lead_service.parse_mapping(form.get("mapping", "")) if kind == "field" else {}
    return lead_service.save_rule(rule, name=form.get("name", ""), kind=kind,
                                  user_ids=[_int(u) for u in form.getlist("user_ids") if _int(u)],
                                  field_key=form.get("field_key") or None, mapping=mapping,
                                  active=form.get("active") == "1")


@bp.route("/leads/assignment/<int:rule_id>", methods=["POST"])
@permission_required("settings.manage")
def edit_rule(rule_id: int):
    rule = lead_service.get_rule(rule_id)
    if rule is None:
        abort(404)
    try:
        _save_rule(rule, request.form)
        db.session.commit()
        flash(_("Rule saved."), "success")
    except InputError as exc:
        db.session.rollback()
        return _rules_page(errors=exc.fields or {"_form": exc.message}, form=request.form, status=422,
                           editing=rule_id)
    return redirect(url_for(".assignment"))


@bp.route("/leads/assignment/<int:rule_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete_rule(rule_id: int):
    rule = lead_service.get_rule(rule_id)
    if rule is None:
        abort(404)
    lead_service.delete_rule(rule)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(url_for(".assignment"))


# --- the forecast --------------------------------------------------------------------------------

def _month_label(month: date) -> str:
    return format_date(month, "yyyy-MM")


@bp.route("/forecast")
@permission_required("workspace.view")
def forecast(errors: dict | None = None, typed: dict | None = None):
    in_use = forecast_service.currencies_in_use()
    currency = request.values.get("currency") or (in_use[0] if in_use else "CNY")
    if currency not in CURRENCIES:
        currency = "CNY"
    pipeline_id = _int(request.values.get("pipeline"))
    first = forecast_service.month_start(date.today())
    result = forecast_service.forecast(currency, first, 12, pipeline_id=pipeline_id)
    return render_template("sales/forecast.html", result=result, charts=forecast_service.figures(result, _month_label),
                           currencies=[c for c in CURRENCIES if c in in_use or c == currency],
                           pipelines=pipelines.pipelines("deal"), pipeline_id=pipeline_id,
                           month_label=_month_label, errors=errors or {}, typed=typed or {},
                           can_edit_targets=can("settings.manage")), 422 if errors else 200


@bp.route("/forecast/targets", methods=["POST"])
@permission_required("settings.manage")
def targets():
    currency = request.form.get("currency") or "CNY"
    if currency not in CURRENCIES:
        abort(400)
    first = forecast_service.month_start(date.today())
    amounts = {month: request.form.get(f"target-{month:%Y-%m}", "") for month in forecast_service.months_from(first, 12)
               if f"target-{month:%Y-%m}" in request.form}
    try:
        forecast_service.set_targets(currency, amounts)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return forecast(errors=exc.fields, typed={k: request.form.get(k) for k in request.form})
    flash(_("Targets saved."), "success")
    return redirect(url_for(".forecast", currency=currency))


def outcome_label(outcome: str) -> str:
    return pick_label(OUTCOME_LABELS.get(outcome))


bp.add_app_template_global(outcome_label, "sales_outcome_label")
bp.add_app_template_global(pick_label, "sales_label")
