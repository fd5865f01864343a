"""Analytics: report widgets, dashboards and their tiles

Revision ID: 0009_analytics
Revises: 0002_core_records
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

from saas.tenants.isolation import enable_rls

# revision identifiers, used by Alembic.
revision = '0009_analytics'
down_revision = '0002_core_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_widgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_key', sa.String(length=63), nullable=True),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('measure_field', sa.String(length=63), nullable=True),
    sa.Column('group_by', sa.String(length=63), nullable=True),
    sa.Column('group_bucket', sa.String(length=10), nullable=True),
    sa.Column('group_by2', sa.String(length=63), nullable=True),
    sa.Column('group_bucket2', sa.String(length=10), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('date_field', sa.String(length=63), nullable=True),
    sa.Column('date_range', sa.String(length=20), nullable=False),
    sa.Column('date_from', sa.String(length=10), nullable=True),
    sa.Column('date_to', sa.String(length=10), nullable=True),
    sa.Column('chart_type', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_analytics_widgets_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_analytics_widgets_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_widgets')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_analytics_widgets_tenant_id_id'))
    )
    with op.batch_alter_table('analytics_widgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_widgets_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_analytics_widgets_tenant_name', ['tenant_id', 'name'], unique=False)

    op.create_table('analytics_dashboards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('preset', sa.String(length=20), nullable=True),
    sa.Column('date_range', sa.String(length=20), nullable=True),
    sa.Column('date_from', sa.String(length=10), nullable=True),
    sa.Column('date_to', sa.String(length=10), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_analytics_dashboards_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_analytics_dashboards_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_dashboards')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_analytics_dashboards_tenant_id_id'))
    )
    with op.batch_alter_table('analytics_dashboards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_dashboards_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_analytics_dashboards_tenant_owner', ['tenant_id', 'user_id'], unique=False)

    op.create_table('analytics_tiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dashboard_id', sa.Integer(), nullable=False),
    sa.Column('widget_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'dashboard_id'], ['analytics_dashboards.tenant_id', 'analytics_dashboards.id'], name=op.f('fk_analytics_tiles_tenant_id_dashboard_id_analytics_dashboards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'widget_id'], ['analytics_widgets.tenant_id', 'analytics_widgets.id'], name=op.f('fk_analytics_tiles_tenant_id_widget_id_analytics_widgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_analytics_tiles_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_tiles')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_analytics_tiles_tenant_id_id'))
    )
    with op.batch_alter_table('analytics_tiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_tiles_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_analytics_tiles_tenant_dashboard', ['tenant_id', 'dashboard_id', 'position'], unique=False)
        batch_op.create_index('ix_analytics_tiles_tenant_widget', ['tenant_id', 'widget_id'], unique=False)

    enable_rls(op, "analytics_widgets")
    enable_rls(op, "analytics_dashboards")
    enable_rls(op, "analytics_tiles")


def downgrade():
    op.drop_table('analytics_tiles')
    op.drop_table('analytics_dashboards')
    op.drop_table('analytics_widgets')
