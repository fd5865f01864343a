"""Workspaces and memberships: creation, slugs, lookups, role changes."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from saas.errors import InputError
from saas.extensions import db
from saas.plugins import hooks
from saas.tenants.context import tenant_context
from saas.tenants.models import Membership, User, Workspace
from saas.tenants.roles import ROLES

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = {"new", "api", "admin", "static", "settings", "login", "signup"}


def slugify(name: str) -> str:
    """An ASCII slug from a name; names in Chinese give an empty slug, handled by the caller."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:50].strip("-")


def unique_slug(name: str) -> str:
    """A free slug derived from the name: acme, acme-2, acme-3 ..."""
    base = slugify(name) or "workspace"
    if base in RESERVED_SLUGS:
        base = f"{base}-team"
    taken = set(db.session.scalars(
        select(Workspace.slug).where((Workspace.slug == base) | Workspace.slug.like(f"{base}-%"))
    ))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_workspace(name: str, owner: User, slug: str | None = None) -> Workspace:
    """A new workspace with `owner` as its owner; modules set up their defaults in it.

    Adds to the session without committing, so the caller's transaction stays whole.
    """
    name = (name or "").strip()
    if not name:
        raise InputError({"workspace_name": _("Give your workspace a name.")})
    if len(name) > 120:
        raise InputError({"workspace_name": _("Use at most 120 characters.")})
    if slug:
        slug = slug.strip().lower()
        if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
            raise InputError({"slug": _("Use lower-case letters, digits and dashes.")})
        if db.session.scalar(select(Workspace.id).where(Workspace.slug == slug)):
            raise InputError({"slug": _("This address is taken.")})
    workspace = Workspace(name=name, slug=slug or unique_slug(name))
    db.session.add(workspace)
    db.session.add(Membership(workspace=workspace, user=owner, role="owner"))
    db.session.flush()
    with tenant_context(workspace.id):
        hooks().workspace_created(workspace=workspace)
        db.session.flush()
    return workspace


def workspace_by_slug(slug: str) -> Workspace | None:
    return db.session.scalar(select(Workspace).where(Workspace.slug == slug))


def membership_of(user: User, workspace: Workspace) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.tenant_id == workspace.id)
    )


def membership_in(user: User, slug: str) -> Membership | None:
    """The user's membership in the workspace at `slug`, its workspace loaded with it (one query:
    every workspace page asks this first)."""
    return db.session.scalar(
        select(Membership).join(Membership.workspace).options(contains_eager(Membership.workspace))
        .where(Workspace.slug == slug, Membership.user_id == user.id)
    )


def memberships_of(user: User) -> list[Membership]:
    """The user's workspaces, for the switcher."""
    return list(db.session.scalars(
        select(Membership).join(Membership.workspace).options(contains_eager(Membership.workspace))
        .where(Membership.user_id == user.id).order_by(Workspace.name)
    ))


def members(workspace: Workspace) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user).options(contains_eager(Membership.user))
        .where(Membership.tenant_id == workspace.id).order_by(User.name)
    ))


def get_member(workspace: Workspace, membership_id: int) -> Membership | None:
    """A membership of this workspace by id; another workspace's id gives None (a 404)."""
    return db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.tenant_id == workspace.id)
    )


def _owner_count(workspace: Workspace) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership)
        .where(Membership.tenant_id == workspace.id, Membership.role == "owner")
    )


def change_role(actor: Membership, member: Membership, role: str) -> None:
    """Give `member` a new role; only owners make or unmake owners; the last owner stays."""
    from saas.tenants.roles import assignable_roles

    if role not in ROLES:
        raise InputError({"role": _("Choose a role from the list.")})
    if role not in assignable_roles(actor.role) or (
        member.role == "owner" and actor.role != "owner"
    ):
        raise InputError({"role": _("Only an owner can change this role.")}, status=403, code="forbidden")
    if member.role == "owner" and role != "owner" and _owner_count(member.workspace) == 1:
        raise InputError({"role": _("A workspace needs at least one owner.")}, code="last_owner")
    member.role = role


def remove_member(actor: Membership, member: Membership) -> None:
    """Take someone out of the workspace (their records stay)."""
    if member.role == "owner" and actor.role != "owner":
        raise InputError({"role": _("Only an owner can remove an owner.")}, status=403, code="forbidden")
    if member.role == "owner" and _owner_count(member.workspace) == 1:
        raise InputError({"role": _("A workspace needs at least one owner.")}, code="last_owner")
    db.session.delete(member)
