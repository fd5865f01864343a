"""Lifecycle: stages (metadata layer), rules, stage actions, the history of moves, evaluation runs
and settings

Revision ID: 0008_lifecycle
Revises: 0002_core_records
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from saas.tenants.isolation import enable_rls

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# revision identifiers, used by Alembic.
revision = '0008_lifecycle'
down_revision = '0002_core_records'
branch_labels = None
depends_on = None

TABLES = ('lifecycle_stages', 'lifecycle_rules', 'lifecycle_actions', 'lifecycle_moves', 'lifecycle_evaluations',
          'lifecycle_settings')


def _tenant(table):
    return (
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f(f'fk_{table}_tenant_id_workspaces'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f(f'uq_{table}_tenant_id_id')),
    )


def _ref(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{target}.tenant_id', f'{target}.id'],
                                   name=op.f(f'fk_{table}_tenant_id_{column}_{target}'), ondelete=ondelete)


def upgrade():
    op.create_table('lifecycle_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('custom', JSONDoc, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('lifecycle_stages'),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_lifecycle_stages_tenant_id_key')),
    )
    op.create_index(op.f('ix_lifecycle_stages_tenant_id'), 'lifecycle_stages', ['tenant_id'])
    op.create_index('ix_lifecycle_stages_tenant_position', 'lifecycle_stages', ['tenant_id', 'position'])

    op.create_table('lifecycle_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('match', sa.String(length=3), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('lifecycle_rules'),
    _ref('lifecycle_rules', 'stage_id', 'lifecycle_stages', 'CASCADE'),
    )
    op.create_index(op.f('ix_lifecycle_rules_tenant_id'), 'lifecycle_rules', ['tenant_id'])
    op.create_index('ix_lifecycle_rules_tenant_position', 'lifecycle_rules', ['tenant_id', 'position'])

    op.create_table('lifecycle_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('lifecycle_actions'),
    _ref('lifecycle_actions', 'stage_id', 'lifecycle_stages', 'CASCADE'),
    )
    op.create_index(op.f('ix_lifecycle_actions_tenant_id'), 'lifecycle_actions', ['tenant_id'])
    op.create_index('ix_lifecycle_actions_tenant_stage', 'lifecycle_actions', ['tenant_id', 'stage_id'])

    op.create_table('lifecycle_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=40), nullable=True),
    sa.Column('to_stage', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('rule_name', sa.String(length=120), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('lifecycle_moves'),
    _ref('lifecycle_moves', 'contact_id', 'contacts', 'CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lifecycle_moves_user_id_users'),
                            ondelete='SET NULL'),
    )
    op.create_index(op.f('ix_lifecycle_moves_tenant_id'), 'lifecycle_moves', ['tenant_id'])
    op.create_index('ix_lifecycle_moves_tenant_contact', 'lifecycle_moves', ['tenant_id', 'contact_id', 'moved_at'])
    op.create_index('ix_lifecycle_moves_tenant_moved_at', 'lifecycle_moves', ['tenant_id', 'moved_at'])
    op.create_index('ix_lifecycle_moves_tenant_evaluation', 'lifecycle_moves', ['tenant_id', 'evaluation_id'])

    op.create_table('lifecycle_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('steps_done', sa.Integer(), nullable=False),
    sa.Column('steps_total', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    *_tenant('lifecycle_evaluations'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lifecycle_evaluations_user_id_users'),
                            ondelete='SET NULL'),
    )
    op.create_index(op.f('ix_lifecycle_evaluations_tenant_id'), 'lifecycle_evaluations', ['tenant_id'])
    op.create_index('ix_lifecycle_evaluations_tenant_created', 'lifecycle_evaluations', ['tenant_id', 'created_at'])

    op.create_table('lifecycle_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=20), nullable=True),
    sa.Column('nightly', sa.Boolean(), nullable=False),
    *_tenant('lifecycle_settings'),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_lifecycle_settings_tenant_id')),
    )
    op.create_index(op.f('ix_lifecycle_settings_tenant_id'), 'lifecycle_settings', ['tenant_id'])

    for table in TABLES:
        enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
