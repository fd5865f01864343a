"""Drop the single-column tenant_id index of every tenant table that has its (tenant_id, id) key

Each tenant table got an index on tenant_id alone, and also the unique key (tenant_id, id) that
tenant-safe foreign keys reference. The unique key serves every lookup by workspace the single
index could, so the index was only paid for: one more index written with every row (an import of
a million contacts writes three such tables). New tenant tables no longer get it (TenantScoped).

Also joins the heads of the main line into one.

Revision ID: 0012_redundant_tenant_indexes
Revises: 0003_billing, 0004_plugins, 0005_api_webhooks, 0006_imports, 0007_sales, 0008_lifecycle,
         0009_analytics, 0010_customer_value, 0011_field_value_functions
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012_redundant_tenant_indexes'
down_revision = ('0003_billing', '0004_plugins', '0005_api_webhooks', '0006_imports', '0007_sales',
                 '0008_lifecycle', '0009_analytics', '0010_customer_value', '0011_field_value_functions')
branch_labels = None
depends_on = None


def _tables_with_tenant_key(inspector) -> list[str]:
    """Tables with a unique key or index on exactly (tenant_id, id)."""
    out = []
    for table in inspector.get_table_names():
        keys = [c["column_names"] for c in inspector.get_unique_constraints(table)]
        keys += [i["column_names"] for i in inspector.get_indexes(table) if i.get("unique")]
        if ["tenant_id", "id"] in keys:
            out.append(table)
    return out


def upgrade():
    inspector = sa.inspect(op.get_bind())
    for table in _tables_with_tenant_key(inspector):
        for index in inspector.get_indexes(table):
            if index["name"] == f"ix_{table}_tenant_id" and index["column_names"] == ["tenant_id"]:
                op.drop_index(index["name"], table_name=table)


def downgrade():
    inspector = sa.inspect(op.get_bind())
    for table in _tables_with_tenant_key(inspector):
        if not any(i["name"] == f"ix_{table}_tenant_id" for i in inspector.get_indexes(table)):
            op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
