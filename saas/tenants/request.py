"""Resolving the workspace of each browser request, once, from the /w/<workspace_slug> prefix.

Any blueprint (a module's, a plugin's) whose URLs start with WORKSPACE_PREFIX gets the same
treatment: log-in required, the workspace loaded, membership checked (a workspace you are not
in answers 404, like one that does not exist), g.workspace / g.membership set and the tenant
context entered. url_for fills the slug in by itself.
"""
from __future__ import annotations

from flask import Flask, abort, g, request
from flask_login import current_user

from saas.extensions import db, login_manager
from saas.tenants.context import set_tenant
from saas.tenants.models import User
from saas.tenants.roles import has_permission
from saas.tenants.workspaces import membership_in

WORKSPACE_PREFIX = "/w/<workspace_slug>"


def init_app(app: Flask) -> None:
    from saas.tenants.views import auth, settings, switcher

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.register_blueprint(auth.bp)
    app.register_blueprint(switcher.bp)
    app.register_blueprint(settings.bp, url_prefix=f"{WORKSPACE_PREFIX}/settings")

    app.url_value_preprocessor(_pull_workspace_slug)
    app.url_defaults(_add_workspace_slug)
    app.before_request(_enter_workspace)
    app.teardown_request(_leave_workspace)
    app.context_processor(lambda: {"can": can})


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.password_hash[-16:] == stamp else None


def _pull_workspace_slug(endpoint, values) -> None:
    # g outlives a request when an app context was already pushed (tests, jobs): reset it here.
    g.workspace = g.membership = None
    g.pop("_login_user", None)  # Flask-Login's cache of the user, loaded anew per request
    g.workspace_slug = values.pop("workspace_slug", None) if values else None


def _add_workspace_slug(endpoint, values) -> None:
    workspace = g.get("workspace")
    if workspace is not None and "workspace_slug" not in values:
        from flask import current_app

        if current_app.url_map.is_endpoint_expecting(endpoint, "workspace_slug"):
            values["workspace_slug"] = workspace.slug


def _enter_workspace():
    slug = g.get("workspace_slug")
    if slug is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    membership = membership_in(current_user, slug)
    if membership is None:
        abort(404, description="workspace")
    g.workspace, g.membership = membership.workspace, membership
    set_tenant(membership.workspace.id)
    return None


def _leave_workspace(exc) -> None:
    set_tenant(None, tell_database=not _session_ends_with_request())


def _session_ends_with_request() -> bool:
    """Whether the request pushed the app context it runs in (every served request does): that
    context, the database session and its transaction end right after the request, and the tenant
    setting, local to the transaction, with them; telling the database first would cost a round
    trip per request. Under an app context pushed around requests (tests, jobs) the session
    lives on: False."""
    from flask.globals import _cv_app, request_ctx

    tokens = getattr(request_ctx._get_current_object(), "_cv_tokens", None)
    app_ctx = _cv_app.get(None)
    return (bool(tokens) and tokens[-1][1] is app_ctx and app_ctx is not None
            and len(getattr(app_ctx, "_cv_tokens", ())) == 1)


def can(permission: str) -> bool:
    """Whether the current member holds `permission` in the workspace of this request."""
    membership = g.get("membership")
    return membership is not None and has_permission(membership.role, permission)


def require(permission: str) -> None:
    """Abort with 403 unless the current member holds `permission`: the one check for views."""
    if not can(permission):
        abort(403)


def permission_required(permission: str):
    """View decorator form of require()."""
    from functools import wraps

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_htmx() -> bool:
    from saas.extensions import htmx

    return bool(htmx) and request.method != "HEAD"
