"""Settings → Webhooks (admins): subscribe URLs, test them, turn them on and off, read the log."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.modules.webhooks import services
from saas.modules.webhooks.events import ALL, event_choices
from saas.modules.webhooks.forms import WebhookForm
from saas.modules.webhooks.models import WebhookDelivery
from saas.tenants.forms import ConfirmForm, show_errors
from saas.tenants.request import permission_required

bp = Blueprint("webhooks", __name__, template_folder="templates")


def _form(webhook=None) -> WebhookForm:
    form = WebhookForm(obj=webhook)
    form.events.choices = event_choices()
    if not form.is_submitted():
        form.events.data = list(webhook.events) if webhook is not None else [ALL]
    return form


def _webhook_or_404(webhook_id: int):
    webhook = services.get_webhook(webhook_id)
    if webhook is None:
        abort(404)
    return webhook


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/", methods=["GET", "POST"])
@permission_required("settings.manage")
def index():
    form = _form()
    if form.validate_on_submit():
        try:
            webhook = services.create_webhook(form.url.data, form.events.data, form.description.data,
                                              g.membership.user_id)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            show_errors(form, exc)
        else:
            flash(_("Webhook added. Verify its signatures with the secret shown below."), "success")
            return redirect(url_for(".detail", webhook_id=webhook.id))
    return render_template("webhooks/index.html", form=form, webhooks=services.webhooks(),
                           event_labels=dict(event_choices())), 422 if form.errors else 200


@bp.route("/<int:webhook_id>", methods=["GET", "POST"])
@permission_required("settings.manage")
def detail(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    form = _form(webhook)
    if form.validate_on_submit():
        try:
            services.update_webhook(webhook, form.url.data, form.events.data, form.description.data)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            show_errors(form, exc)
        else:
            flash(_("Webhook saved."), "success")
            return redirect(url_for(".detail", webhook_id=webhook.id))
    return render_template("webhooks/detail.html", webhook=webhook, form=form,
                           deliveries=services.deliveries(webhook), confirm=ConfirmForm(),
                           disable_after=services.disable_after()), 422 if form.errors else 200


@bp.route("/<int:webhook_id>/test", methods=["POST"])
@permission_required("settings.manage")
def test(webhook_id: int):
    return _act_on(webhook_id, services.send_test, _("Test event sent; its answer is in the delivery log."))


@bp.route("/<int:webhook_id>/enable", methods=["POST"])
@permission_required("settings.manage")
def enable(webhook_id: int):
    return _act_on(webhook_id, lambda webhook: services.set_enabled(webhook, True), _("Webhook on."))


@bp.route("/<int:webhook_id>/disable", methods=["POST"])
@permission_required("settings.manage")
def disable(webhook_id: int):
    return _act_on(webhook_id, lambda webhook: services.set_enabled(webhook, False),
                   _("Webhook off: no events are sent to it."))


@bp.route("/<int:webhook_id>/rotate-secret", methods=["POST"])
@permission_required("settings.manage")
def rotate_secret(webhook_id: int):
    return _act_on(webhook_id, services.rotate_secret, _("New secret made; update the receiving side."))


def _act_on(webhook_id: int, action, done_message: str):
    """A button on a webhook's page: confirm, act, commit, say so, back to the page."""
    webhook = _webhook_or_404(webhook_id)
    _confirmed()
    action(webhook)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for(".detail", webhook_id=webhook.id))


@bp.route("/<int:webhook_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    _confirmed()
    services.delete_webhook(webhook)
    db.session.commit()
    flash(_("Webhook deleted."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:webhook_id>/deliveries/<int:delivery_id>/retry", methods=["POST"])
@permission_required("settings.manage")
def retry(webhook_id: int, delivery_id: int):
    webhook = _webhook_or_404(webhook_id)
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                              WebhookDelivery.webhook_id == webhook.id))
    if delivery is None:
        abort(404)
    _confirmed()
    services.retry_now(delivery)
    db.session.commit()
    flash(_("Delivery sent again."), "success")
    return redirect(url_for(".detail", webhook_id=webhook.id))
