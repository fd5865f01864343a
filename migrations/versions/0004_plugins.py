"""Plugins: which plugins each workspace enabled, and their settings.

Revision ID: 0004_plugins
Revises: 0001_accounts
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

from saas.tenants.isolation import enable_rls


# revision identifiers, used by Alembic.
revision = '0004_plugins'
down_revision = '0001_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workspace_plugins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=63), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('first_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_workspace_plugins_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_workspace_plugins_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_plugins')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_workspace_plugins_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'plugin', name=op.f('uq_workspace_plugins_tenant_id_plugin'))
    )
    with op.batch_alter_table('workspace_plugins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_plugins_tenant_id'), ['tenant_id'], unique=False)
    enable_rls(op, 'workspace_plugins')


def downgrade():
    with op.batch_alter_table('workspace_plugins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_plugins_tenant_id'))
    op.drop_table('workspace_plugins')
