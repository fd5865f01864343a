"""Imports every model so that Alembic and SQLAlchemy relationships see all tables."""
from saas.mail import OutboxMessage  # noqa: F401
from saas.tenants.models import ApiToken, Invitation, Membership, User, Workspace  # noqa: F401
