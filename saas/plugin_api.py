"""The public plugin API: everything a plugin may use, and nothing else (see docs/plugins.md).

Plugins import from here only, never from Orchard's internals, so those can change without
breaking them. Built-in modules use the same names.
"""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext, lazy_gettext, ngettext

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import enqueue, report_progress
from saas.mail import send_mail as _send_mail
from saas.modules.apps import testing
from saas.plugins import hookimpl
from saas.tenants.context import current_tenant_id
from saas.tenants.isolation import TenantScoped, enable_rls, tenant_fk, tenant_table_args
from saas.tenants.request import WORKSPACE_PREFIX, can, permission_required, require
from saas.web.urls import external_url

_ = gettext
_l = lazy_gettext

__all__ = [
    "hookimpl", "db", "TenantScoped", "tenant_table_args", "tenant_fk", "enable_rls", "send_mail", "enqueue",
    "report_progress", "current_workspace", "plugin_settings", "WORKSPACE_PREFIX", "permission_required",
    "require", "can", "gettext", "lazy_gettext", "ngettext", "_", "_l", "InputError", "external_url",
    "Contact", "declare_custom_field", "testing",
]


def current_workspace():
    """The workspace this request or job runs for (None outside one)."""
    workspace = g.get("workspace") if g else None
    if workspace is not None:
        return workspace
    tenant_id = current_tenant_id()
    if tenant_id is None:
        return None
    from saas.tenants.models import Workspace

    return db.session.get(Workspace, tenant_id)


def send_mail(to: str, subject: str, body: str):
    """Send a plain-text mail for the current workspace through Orchard's one mail sender
    (the outbox, and SMTP when configured); it leaves after the transaction commits."""
    return _send_mail(to, subject, body, tenant_id=current_tenant_id())


def plugin_settings(plugin: str) -> dict[str, Any]:
    """The settings of `plugin` for the current workspace, typed by its schema, defaults filled in."""
    from saas.modules.apps.services import settings_of

    return settings_of(current_workspace(), plugin)


def __getattr__(name: str):
    # Contacts belong to the core module: the read model is handed out here, loaded on first use.
    if name == "Contact":
        from saas.modules.core.models import Contact

        return Contact
    raise AttributeError(name)


def declare_custom_field(object_key: str, key: str, type: str, labels: dict[str, str]) -> None:
    """Add a custom field to an object of the current workspace unless a field `key` exists already."""
    from saas.metadata import definitions

    if key not in definitions.field_map(object_key):
        definitions.add_field(object_key, labels=labels, type=type, key=key)
