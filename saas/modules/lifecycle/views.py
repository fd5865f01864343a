"""The lifecycle pages: the board, a customer's path, analytics, the stages and their actions, the
rule editor, and re-evaluations with their progress. Routes parse, call a service, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.metadata.i18n import LANGUAGES
from saas.metadata.types import OPERATORS, VALUELESS_OPERATORS
from saas.modules.lifecycle import actions, analytics, board as board_service, history, jobs, stages
from saas.modules.lifecycle import rules as rules_service
from saas.modules.lifecycle.conditions import condition_types
from saas.plugin_api import InputError, _, member_choices, permission_required
from saas.tenants.request import is_htmx

bp = Blueprint("lifecycle", __name__, template_folder="templates")

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}


def _user_id() -> int:
    return g.membership.user_id


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _labels_from(form, prefix: str = "name_") -> dict:
    return {code: form.get(f"{prefix}{code}", "") for code in LANGUAGES}


@bp.app_context_processor
def _helpers() -> dict:
    return {"lifecycle_languages": [(c, LANGUAGE_NAMES[c]) for c in LANGUAGES],
            "lifecycle_kinds": definitions.kind_choices()}


# --- the board ---------------------------------------------------------------------------------

def _board_context(**extra) -> dict:
    owner_id = _int(request.values.get("owner"))
    return dict(columns=board_service.board(owner_id=owner_id), owner_id=owner_id, members=member_choices(),
                at_risk=board_service.at_risk(limit=50), evaluation=jobs.latest_evaluation(),
                recent=history.recent_moves(15), stage_map=definitions.stage_map(), **extra)


@bp.route("/")
@permission_required("workspace.view")
def board():
    if not definitions.stages():
        stages.ensure_stages()
        db.session.commit()
    template = "lifecycle/_board.html" if is_htmx() and request.args.get("fragment") else "lifecycle/board.html"
    return render_template(template, **_board_context())


@bp.route("/customers/<int:contact_id>")
@permission_required("workspace.view")
def customer(contact_id: int):
    contact = history.get_contact(contact_id)
    if contact is None:
        abort(404)
    return render_template("lifecycle/customer.html", contact=contact, path=history.path_of(contact.id),
                           stage_map=definitions.stage_map(), stages=definitions.stages())


@bp.route("/customers/<int:contact_id>/move", methods=["POST"])
@permission_required("records.edit")
def move(contact_id: int):
    contact = history.get_contact(contact_id)
    if contact is None:
        abort(404)
    try:
        history.move_contact(contact, request.form.get("stage", ""), _user_id())
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        if is_htmx():
            return render_template("lifecycle/_board.html", **_board_context(error=exc.fields.get("stage")))
        flash(exc.fields.get("stage") or exc.message, "error")
    if is_htmx():
        return render_template("lifecycle/_board.html", **_board_context())
    return redirect(request.form.get("next") or url_for(".customer", contact_id=contact_id))


# --- re-evaluation ------------------------------------------------------------------------------

@bp.route("/evaluations", methods=["POST"])
@permission_required("records.edit")
def evaluate():
    evaluation = jobs.start("manual", _user_id())
    db.session.commit()
    if is_htmx():
        return render_template("lifecycle/_progress.html", evaluation=jobs.get_evaluation(evaluation.id))
    return redirect(url_for(".board"))


@bp.route("/evaluations/<int:evaluation_id>")
@permission_required("workspace.view")
def evaluation_progress(evaluation_id: int):
    evaluation = jobs.get_evaluation(evaluation_id)
    if evaluation is None:
        abort(404)
    return render_template("lifecycle/_progress.html", evaluation=evaluation)


# --- analytics ----------------------------------------------------------------------------------

@bp.route("/analytics", endpoint="analytics")
@permission_required("workspace.view")
def analytics_page():
    figures = analytics.compute(months=_int(request.args.get("months")) or analytics.MONTHS)
    return render_template("lifecycle/analytics.html", a=figures, charts=analytics.charts(figures),
                           conversion=analytics.conversion(figures))


# --- stages, template, actions ---------------------------------------------------------------------

def _stages_page(errors: dict | None = None, status: int = 200, **extra):
    all_stages = definitions.stages()
    context = dict(stages=all_stages, counts=history.counts_by_stage(), settings=stages.settings(),
                   templates=definitions.template_choices(), errors=errors or {},
                   actions={s.id: actions.actions_of(s) for s in all_stages},
                   action_labels=actions.ACTION_LABELS, trigger_labels=actions.TRIGGER_LABELS,
                   form=request.form if errors else {}, **extra)
    return render_template("lifecycle/stages.html", **context), status


@bp.route("/stages")
@permission_required("settings.manage")
def stages_page():
    preview = None
    template = request.args.get("template")
    if template:
        try:
            preview = (template, stages.preview_switch(template))
        except InputError:
            preview = None
    return _stages_page(preview=preview)[0]


@bp.route("/stages", methods=["POST"])
@permission_required("settings.manage")
def add_stage():
    try:
        definitions.add_stage(_labels_from(request.form), request.form.get("colour"), request.form.get("kind"))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _stages_page({f"new_{k}": v for k, v in exc.fields.items()}, 422)
    return redirect(url_for(".stages_page"))


def _stage_or_404(stage_id: int):
    stage = definitions.get_stage(stage_id)
    if stage is None:
        abort(404)
    return stage


@bp.route("/stages/<int:lifecycle_stage_id>", methods=["POST"])
@permission_required("settings.manage")
def update_stage(lifecycle_stage_id: int):
    stage = _stage_or_404(lifecycle_stage_id)
    try:
        definitions.update_stage(stage, _labels_from(request.form), request.form.get("colour"), request.form.get("kind"))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _stages_page({f"{lifecycle_stage_id}_{k}": v for k, v in exc.fields.items()}, 422)
    return redirect(url_for(".stages_page"))


@bp.route("/stages/<int:lifecycle_stage_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete_stage(lifecycle_stage_id: int):
    stage = _stage_or_404(lifecycle_stage_id)
    try:
        stages.remove_stage(stage, request.form.get("move_to") or None, _user_id())
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        fields = {f"{lifecycle_stage_id}_{k}": v for k, v in exc.fields.items()} or \
            {f"{lifecycle_stage_id}_move_to": exc.message}
        return _stages_page(fields, 422)
    return redirect(url_for(".stages_page"))


@bp.route("/stages/order", methods=["POST"])
@permission_required("settings.manage")
def reorder_stages():
    definitions.reorder_stages([int(i) for i in request.form.getlist("stage_ids") if i.isdigit()])
    db.session.commit()
    if is_htmx():
        return "", 204
    return redirect(url_for(".stages_page"))


@bp.route("/template", methods=["POST"])
@permission_required("settings.manage")
def switch_template():
    try:
        moved = stages.switch_template(request.form.get("template", ""), _user_id())
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _stages_page({"template": exc.fields.get("template") or exc.message}, 422)
    flash(_("Template applied; %(n)d customers moved.", n=moved), "success")
    return redirect(url_for(".stages_page"))


@bp.route("/settings", methods=["POST"])
@permission_required("settings.manage")
def save_settings():
    stages.settings().nightly = request.form.get("nightly") == "1"
    db.session.commit()
    return redirect(url_for(".stages_page"))


@bp.route("/stages/<int:lifecycle_stage_id>/actions", methods=["POST"])
@permission_required("settings.manage")
def add_action(lifecycle_stage_id: int):
    stage = _stage_or_404(lifecycle_stage_id)
    try:
        actions.add_action(stage, request.form.get("trigger", ""), request.form.get("kind", ""), request.form)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _stages_page({f"{lifecycle_stage_id}_action_{k}": v for k, v in exc.fields.items()}, 422)
    return redirect(url_for(".stages_page") + f"#stage-{stage.id}")


@bp.route("/actions/<int:lifecycle_action_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete_action(lifecycle_action_id: int):
    action = actions.get_action(lifecycle_action_id)
    if action is None:
        abort(404)
    actions.delete_action(action)
    db.session.commit()
    return redirect(url_for(".stages_page"))


# --- rules and the rule editor ----------------------------------------------------------------------

@bp.route("/rules")
@permission_required("settings.manage")
def rules():
    return render_template("lifecycle/rules.html", rules=rules_service.rules(), stage_map=definitions.stage_map(),
                           types=condition_types(), templates=rules_service.RULE_TEMPLATES)


def _editor_rows(raw_conditions: list[dict], types: dict) -> list[dict]:
    """What the editor shows for each condition: its type, its inputs and their current values."""
    from saas.metadata.definitions import fields as all_fields

    field_list = [f for f in all_fields("contact") if f.key != "lifecycle_stage"]
    by_key = {f.key: f for f in field_list}
    out = []
    for raw in raw_conditions:
        ctype = types.get(raw.get("type") or "")
        row = {"raw": raw, "type": ctype, "fields": field_list}
        if ctype is not None and ctype.key == "field":
            f = by_key.get(raw.get("field") or "")
            row["field"] = f
            row["operators"] = [(op, OPERATORS[op]) for op in (f.operators if f else ())]
            row["valueless"] = raw.get("op") in VALUELESS_OPERATORS
        out.append(row)
    return out


def _editor(rule=None, values: dict | None = None, errors: dict | None = None, status: int = 200,
            fragment: bool = False):
    types = condition_types()
    if values is None:
        values = {"name": rule.name, "stage_id": rule.stage_id, "match": rule.match,
                  "enabled": rule.enabled, "conditions": list(rule.conditions)} if rule is not None else \
            {"name": "", "stage_id": None, "match": "all", "enabled": True, "conditions": [{"type": ""}]}
    context = dict(rule=rule, values=values, rows=_editor_rows(values["conditions"], types), types=types,
                   stages=definitions.stages(), errors=errors or {})
    template = "lifecycle/_rule_form.html" if fragment else "lifecycle/rule.html"
    return render_template(template, **context), status


def _values_from_form() -> dict:
    form = request.form
    conditions = rules_service.conditions_from_form(form)
    remove = _int(form.get("remove_condition"))
    if remove is not None and 0 <= remove < len(conditions):
        conditions.pop(remove)
    if form.get("add_condition"):
        conditions.append({"type": ""})
    return {"name": form.get("name", ""), "stage_id": _int(form.get("stage")), "match": form.get("match", "all"),
            "enabled": form.get("enabled") == "1", "conditions": conditions}


@bp.route("/rules/new", methods=["GET", "POST"])
@permission_required("settings.manage")
def new_rule():
    if request.method == "GET":
        template = rules_service.template_rule(request.args.get("template", ""))
        if template is not None:
            template["enabled"] = True
        return _editor(values=template)[0]
    return _save(None)


@bp.route("/rules/<int:lifecycle_rule_id>", methods=["GET", "POST"])
@permission_required("settings.manage")
def edit_rule(lifecycle_rule_id: int):
    rule = rules_service.get_rule(lifecycle_rule_id)
    if rule is None:
        abort(404)
    if request.method == "GET":
        return _editor(rule)[0]
    return _save(rule)


def _save(rule):
    values = _values_from_form()
    try:
        saved = rules_service.save_rule(rule, values["name"], values["stage_id"], values["match"],
                                        values["conditions"], values["enabled"])
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        # htmx swaps only 2xx answers: the form with its errors comes back as 200 there.
        return _editor(rule, values, exc.fields, 200 if is_htmx() else 422, fragment=is_htmx())
    flash(_("Rule “%(name)s” saved. It applies from the next evaluation or event.", name=saved.name), "success")
    if is_htmx():
        return "", 204, {"HX-Redirect": url_for(".rules")}
    return redirect(url_for(".rules"))


@bp.route("/rules/editor", methods=["POST"])
@permission_required("settings.manage")
def rule_editor():
    """The editor re-drawn after a change (a condition type, a field, add, remove): htmx."""
    rule = rules_service.get_rule(_int(request.form.get("rule_id")) or 0)
    return _editor(rule, _values_from_form(), fragment=True)


@bp.route("/rules/<int:lifecycle_rule_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete_rule(lifecycle_rule_id: int):
    rule = rules_service.get_rule(lifecycle_rule_id)
    if rule is None:
        abort(404)
    rules_service.delete_rule(rule)
    db.session.commit()
    return redirect(url_for(".rules"))


@bp.route("/rules/order", methods=["POST"])
@permission_required("settings.manage")
def reorder_rules():
    rules_service.reorder_rules([int(i) for i in request.form.getlist("rule_ids") if i.isdigit()])
    db.session.commit()
    if is_htmx():
        return "", 204
    return redirect(url_for(".rules"))


@bp.route("/rules/templates", methods=["POST"])
@permission_required("settings.manage")
def add_template_rule():
    try:
        rules_service.add_template_rule(request.form.get("template", ""))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        flash(exc.fields.get("template") or exc.message, "error")
    return redirect(url_for(".rules"))
