"""Customer value: the runs of the RFM and prediction job (state, fitted parameters, segment summary)

The values themselves are read-only system fields of the contact, kept in its custom JSON: no
column is added here.

Revision ID: 0010_customer_value
Revises: 0002_core_records
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

from saas.tenants.isolation import enable_rls

# revision identifiers, used by Alembic.
revision = '0010_customer_value'
down_revision = '0002_core_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_value_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('customers', sa.Integer(), nullable=True),
    sa.Column('repeat_customers', sa.Integer(), nullable=True),
    sa.Column('orders', sa.Integer(), nullable=True),
    sa.Column('bgnbd', sa.JSON(), nullable=True),
    sa.Column('gamma_gamma', sa.JSON(), nullable=True),
    sa.Column('fit_from_run_id', sa.Integer(), nullable=True),
    sa.Column('segments', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_customer_value_runs_requested_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_customer_value_runs_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_value_runs')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_customer_value_runs_tenant_id_id'))
    )
    with op.batch_alter_table('customer_value_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_value_runs_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_customer_value_runs_tenant_created', ['tenant_id', 'created_at'], unique=False)

    enable_rls(op, 'customer_value_runs')


def downgrade():
    with op.batch_alter_table('customer_value_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_value_runs_tenant_created')
        batch_op.drop_index(batch_op.f('ix_customer_value_runs_tenant_id'))

    op.drop_table('customer_value_runs')
