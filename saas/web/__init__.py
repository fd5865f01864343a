"""The web shell: layout, navigation, language switch, error pages, static assets."""
from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from saas.tenants.roles import ROLE_LABELS
from saas.web import i18n
from saas.web.navigation import navigation


def init_app(app: Flask) -> None:
    from saas.web.views import bp as workspace_bp
    from saas.tenants.request import WORKSPACE_PREFIX

    app.register_blueprint(i18n.bp)
    app.register_blueprint(workspace_bp, url_prefix=WORKSPACE_PREFIX)

    @app.context_processor
    def layout_context():
        from flask_login import current_user

        from saas.tenants.workspaces import memberships_of

        switcher = memberships_of(current_user) if current_user.is_authenticated else []
        return {
            "languages": app.config["LANGUAGES"],
            "current_language": i18n.current_locale_code(),
            "html_lang": i18n.html_lang(),
            "switcher_memberships": switcher,
            "workspace": g.get("workspace"),
            "membership": g.get("membership"),
            "nav_items": navigation() if g.get("workspace") else [],
            "role_label": lambda role: ROLE_LABELS.get(role, role),
        }

    for status, title, text in ERROR_PAGES:
        app.register_error_handler(status, _error_handler(status, title, text))
    app.register_error_handler(CSRFError, _csrf_error)


ERROR_PAGES = [
    (400, _l("Bad request"), _l("The request could not be understood.")),
    (403, _l("Not allowed"), _l("Your role in this workspace does not allow this. Ask an admin.")),
    (404, _l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    (405, _l("Not allowed"), _l("This address does not accept that kind of request.")),
    (410, _l("Gone"), _l("This link is no longer valid.")),
    (429, _l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    (500, _l("Something went wrong"), _l("An error on our side stopped this. Nothing you entered was half-saved; please try again.")),
]


def _error_handler(status: int, title, text):
    def handle(error):
        if status == 500:
            from saas.extensions import db

            db.session.rollback()
        if status == 404 and getattr(error, "description", None) == "workspace":
            message = _l("No workspace at this address, or you are not a member of it.")
        else:
            message = text
        return render_template("errors/error.html", status=status, title=title, message=message), status

    return handle


def _csrf_error(error):
    return render_template("errors/error.html", status=400, title=_l("Form expired"),
                           message=_l("The form was open too long or came from elsewhere. Reload the page and try again.")), 400
