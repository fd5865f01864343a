"""Hook implementations of the birthday_greetings plugin (uses saas.plugin_api only)."""
from __future__ import annotations

from pathlib import Path

from saas.plugin_api import WORKSPACE_PREFIX, _l, declare_custom_field, hookimpl
from birthday_greetings import models  # noqa: F401  (its table)
from birthday_greetings.settings import GreetingSettings

MANIFEST = {
    "name": "birthday_greetings",
    "title": _l("Birthday greetings"),
    "version": "1.0.0",
    "publisher": "Orchard examples",
    "description": _l("E-mails your contacts on their birthday and on the holidays you pick "
                      "(春节, 中秋节, 国庆节, New Year, Christmas ...)."),
    "plan": "free",
    "permissions": ["records.read", "records.write", "mail.send", "jobs.schedule"],
    "settings": GreetingSettings,
}


@hookimpl
def register_blueprints(app):
    from birthday_greetings.views import bp

    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/greetings")


@hookimpl
def navigation_items(workspace):
    return [{"endpoint": "birthday_greetings.index", "label": _l("Greetings"), "icon": "gift"}]


@hookimpl
def plugin_enabled(workspace, first_time):
    # The contacts' Birthday field: a custom date field, added once (it stays when turned off).
    declare_custom_field("contact", "birthday", "date", labels={"en": "Birthday", "zh_Hans": "生日", "zh_Hant": "生日"})


@hookimpl
def migrations_folder():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def scheduled_jobs():
    from birthday_greetings.greetings import daily

    return [{"func": daily, "cron": "0 8 * * *"}]
