"""Factories for tests: workspaces, users, memberships, records of each module."""
from __future__ import annotations

from dataclasses import dataclass

from saas.extensions import db
from saas.tenants import accounts
from saas.tenants.models import Membership, User, Workspace
from saas.tenants.workspaces import create_workspace

PASSWORD = "correct-horse-42"


@dataclass
class Tenant:
    workspace: Workspace
    owner: User

    @property
    def id(self) -> int:
        return self.workspace.id

    @property
    def slug(self) -> str:
        return self.workspace.slug


def user(email: str, name: str | None = None, password: str = PASSWORD) -> User:
    existing = accounts.user_by_email(email)
    if existing:
        return existing
    new = accounts.create_user(email, name or email.split("@")[0].title(), password)
    db.session.commit()
    return new


def workspace_with_owner(name: str, owner_email: str) -> Tenant:
    owner = user(owner_email)
    workspace = create_workspace(name, owner)
    db.session.commit()
    return Tenant(workspace, owner)


def member(tenant: Tenant, email: str, role: str = "member") -> User:
    new = user(email)
    db.session.add(Membership(tenant_id=tenant.id, user_id=new.id, role=role))
    db.session.commit()
    return new
