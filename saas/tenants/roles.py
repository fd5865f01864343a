"""Roles and permissions: the one check used everywhere (views, templates, API, CLI)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Ordered from least to most powerful; a role holds every permission of the roles before it.
ROLES = ("viewer", "member", "admin", "owner")

ROLE_LABELS = {
    "viewer": _l("Viewer"),
    "member": _l("Member"),
    "admin": _l("Admin"),
    "owner": _l("Owner"),
}

# permission -> the least role that holds it
PERMISSIONS = {
    "workspace.view": "viewer",
    "records.edit": "member",
    "members.manage": "admin",
    "tokens.manage": "admin",
    "settings.manage": "admin",
    "billing.manage": "admin",
    "owners.manage": "owner",
}


def has_permission(role: str | None, permission: str) -> bool:
    """True when `role` holds `permission`. Unknown permissions are a programming error."""
    least = PERMISSIONS[permission]
    return role in ROLES and ROLES.index(role) >= ROLES.index(least)


def assignable_roles(role: str | None) -> tuple[str, ...]:
    """The roles a member with `role` may give others: only owners make owners."""
    if has_permission(role, "owners.manage"):
        return ROLES
    if has_permission(role, "members.manage"):
        return ROLES[:-1]
    return ()
