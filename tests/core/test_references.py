"""Wall 2 in the database: a record cannot point at another workspace's record, even when the
ORM's checks are bypassed."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from saas.extensions import db
from saas.modules.core.models import Company, Contact
from saas.tenants.context import tenant_context, unscoped


def _company(tenant, name):
    with tenant_context(tenant.id):
        company = Company(name=name)
        db.session.add(company)
        db.session.commit()
        return company.id


def test_a_contact_cannot_point_at_another_workspaces_company(app, two_workspaces):
    a, b = two_workspaces
    company_of_b = _company(b, "Beta Supplier")
    with tenant_context(a.id), unscoped():
        with pytest.raises(IntegrityError):
            db.session.execute(
                text("insert into contacts (tenant_id, name, company_id, tags, custom, created_at, updated_at) "
                     "values (:tenant, 'Mallory', :company, '[]', '{}', current_timestamp, current_timestamp)"),
                {"tenant": a.id, "company": company_of_b},
            )
            db.session.flush()
        db.session.rollback()


def test_the_orm_path_fails_in_the_database_too(app, two_workspaces):
    a, b = two_workspaces
    company_of_b = _company(b, "Beta Supplier")
    with tenant_context(a.id):
        db.session.add(Contact(name="Mallory", company_id=company_of_b))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_contact_may_point_at_its_own_workspaces_company(app, two_workspaces):
    a, _b = two_workspaces
    company_of_a = _company(a, "Alpha Client")
    with tenant_context(a.id):
        contact = Contact(name="Li Lei", company_id=company_of_a)
        db.session.add(contact)
        db.session.commit()
        assert contact.company.name == "Alpha Client"
