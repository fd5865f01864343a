"""Birthday greetings: the greetings sent.

Revision ID: birthday_greetings_0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

from saas.plugin_api import enable_rls

revision = "birthday_greetings_0001"
down_revision = None
branch_labels = ("birthday_greetings",)
# The accounts tables, and the contacts its rows point at.
depends_on = ("0001_accounts", "0002_core_records")


def upgrade():
    op.create_table(
        "birthday_greetings_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
                                name="fk_birthday_greetings_sent_tenant_id_contact_id_contacts", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["workspaces.id"],
                                name="fk_birthday_greetings_sent_tenant_id_workspaces", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_birthday_greetings_sent"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_birthday_greetings_sent_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "contact_id", "occasion", "year",
                            name="uq_birthday_greetings_sent_tenant_id_contact_id_occasion_year"),
    )
    op.create_index("ix_birthday_greetings_sent_tenant_id", "birthday_greetings_sent", ["tenant_id"])
    enable_rls(op, "birthday_greetings_sent")


def downgrade():
    op.drop_index("ix_birthday_greetings_sent_tenant_id", table_name="birthday_greetings_sent")
    op.drop_table("birthday_greetings_sent")
