"""The plugin's page: upcoming birthdays, greetings sent, and "send today's now"."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for

from saas.plugin_api import _, db, permission_required, plugin_settings
from birthday_greetings import greetings
from birthday_greetings.calendar import holiday_label

bp = Blueprint("birthday_greetings", __name__, template_folder="templates")


@bp.route("/")
@permission_required("workspace.view")
def index():
    today = date.today()
    settings = plugin_settings(greetings.PLUGIN)
    return render_template("birthday_greetings/index.html", upcoming=greetings.upcoming_birthdays(today),
                           sent=greetings.recent(), holiday_label=holiday_label,
                           holidays=[holiday_label(k) for k in settings["holidays"]], settings=settings)


@bp.route("/send", methods=["POST"])
@permission_required("settings.manage")
def send_now():
    count = greetings.send_due()
    db.session.commit()
    flash(_("%(count)d greeting(s) sent.", count=count), "success")
    return redirect(url_for(".index"))
