"""Sales: pipelines and stages (metadata layer), deals with their contacts and tasks, leads,
lead assignment rules, monthly sales targets

Revision ID: 0007_sales
Revises: 0002_core_records
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from saas.tenants.isolation import enable_rls

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# revision identifiers, used by Alembic.
revision = '0007_sales'
down_revision = '0002_core_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lead_assignment_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_ids', sa.JSON(), nullable=False),
    sa.Column('next_index', sa.Integer(), nullable=False),
    sa.Column('field_key', sa.String(length=63), nullable=True),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_lead_assignment_rules_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_assignment_rules')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_lead_assignment_rules_tenant_id_id'))
    )
    with op.batch_alter_table('lead_assignment_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_assignment_rules_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_lead_assignment_rules_tenant_position', ['tenant_id', 'position'], unique=False)

    op.create_table('pipelines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('custom', JSONDoc, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_pipelines_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipelines')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pipelines_tenant_id_id'))
    )
    with op.batch_alter_table('pipelines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_pipelines_tenant_object', ['tenant_id', 'object_key', 'position'], unique=False)

    op.create_table('sales_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_sales_targets_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_targets')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_sales_targets_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'month', 'currency', name=op.f('uq_sales_targets_tenant_id_month_currency'))
    )
    with op.batch_alter_table('sales_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_targets_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('pipeline_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('custom', JSONDoc, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'pipeline_id'], ['pipelines.tenant_id', 'pipelines.id'], name=op.f('fk_pipeline_stages_tenant_id_pipeline_id_pipelines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_pipeline_stages_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_stages')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pipeline_stages_tenant_id_id'))
    )
    with op.batch_alter_table('pipeline_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipeline_stages_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_pipeline_stages_tenant_pipeline', ['tenant_id', 'pipeline_id', 'position'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close_on', sa.Date(), nullable=True),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('custom', JSONDoc, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_deals_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'company_id'], ['companies.tenant_id', 'companies.id'], name=op.f('fk_deals_tenant_id_company_id_companies')),
    sa.ForeignKeyConstraint(['tenant_id', 'pipeline_id'], ['pipelines.tenant_id', 'pipelines.id'], name=op.f('fk_deals_tenant_id_pipeline_id_pipelines')),
    sa.ForeignKeyConstraint(['tenant_id', 'stage_id'], ['pipeline_stages.tenant_id', 'pipeline_stages.id'], name=op.f('fk_deals_tenant_id_stage_id_pipeline_stages')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_deals_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_deals_tenant_id_id'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index('ix_deals_tenant_company', ['tenant_id', 'company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_deals_tenant_name', ['tenant_id', 'name', 'id'], unique=False)
        batch_op.create_index('ix_deals_tenant_owner', ['tenant_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_deals_tenant_pipeline_close', ['tenant_id', 'pipeline_id', 'expected_close_on'], unique=False)
        batch_op.create_index('ix_deals_tenant_stage', ['tenant_id', 'stage_id', 'id'], unique=False)

    op.create_table('deal_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contact_id'], ['contacts.tenant_id', 'contacts.id'], name=op.f('fk_deal_contacts_tenant_id_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'deal_id'], ['deals.tenant_id', 'deals.id'], name=op.f('fk_deal_contacts_tenant_id_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_deal_contacts_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_contacts')),
    sa.UniqueConstraint('tenant_id', 'deal_id', 'contact_id', name=op.f('uq_deal_contacts_tenant_id_deal_id_contact_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_deal_contacts_tenant_id_id'))
    )
    with op.batch_alter_table('deal_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_deal_contacts_tenant_contact', ['tenant_id', 'contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_contacts_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('deal_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['activities.tenant_id', 'activities.id'], name=op.f('fk_deal_tasks_tenant_id_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'deal_id'], ['deals.tenant_id', 'deals.id'], name=op.f('fk_deal_tasks_tenant_id_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_deal_tasks_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_tasks')),
    sa.UniqueConstraint('tenant_id', 'activity_id', name=op.f('uq_deal_tasks_tenant_id_activity_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_deal_tasks_tenant_id_id'))
    )
    with op.batch_alter_table('deal_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_deal_tasks_tenant_deal', ['tenant_id', 'deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_tasks_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('assignment_rule_id', sa.Integer(), nullable=True),
    sa.Column('converted_contact_id', sa.Integer(), nullable=True),
    sa.Column('converted_company_id', sa.Integer(), nullable=True),
    sa.Column('converted_deal_id', sa.Integer(), nullable=True),
    sa.Column('converted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('custom', JSONDoc, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_leads_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'assignment_rule_id'], ['lead_assignment_rules.tenant_id', 'lead_assignment_rules.id'], name=op.f('fk_leads_tenant_id_assignment_rule_id_lead_assignment_rules')),
    sa.ForeignKeyConstraint(['tenant_id', 'converted_company_id'], ['companies.tenant_id', 'companies.id'], name=op.f('fk_leads_tenant_id_converted_company_id_companies')),
    sa.ForeignKeyConstraint(['tenant_id', 'converted_contact_id'], ['contacts.tenant_id', 'contacts.id'], name=op.f('fk_leads_tenant_id_converted_contact_id_contacts')),
    sa.ForeignKeyConstraint(['tenant_id', 'converted_deal_id'], ['deals.tenant_id', 'deals.id'], name=op.f('fk_leads_tenant_id_converted_deal_id_deals')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_leads_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_leads_tenant_id_id'))
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_tenant_email', ['tenant_id', 'email'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_leads_tenant_owner', ['tenant_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_leads_tenant_status', ['tenant_id', 'status', 'id'], unique=False)

    enable_rls(op, "pipelines")
    enable_rls(op, "pipeline_stages")
    enable_rls(op, "lead_assignment_rules")
    enable_rls(op, "sales_targets")
    enable_rls(op, "deals")
    enable_rls(op, "deal_contacts")
    enable_rls(op, "deal_tasks")
    enable_rls(op, "leads")


def downgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_tenant_status')
        batch_op.drop_index('ix_leads_tenant_owner')
        batch_op.drop_index(batch_op.f('ix_leads_tenant_id'))
        batch_op.drop_index('ix_leads_tenant_email')

    op.drop_table('leads')
    with op.batch_alter_table('deal_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_tasks_tenant_id'))
        batch_op.drop_index('ix_deal_tasks_tenant_deal')

    op.drop_table('deal_tasks')
    with op.batch_alter_table('deal_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_contacts_tenant_id'))
        batch_op.drop_index('ix_deal_contacts_tenant_contact')

    op.drop_table('deal_contacts')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_tenant_stage')
        batch_op.drop_index('ix_deals_tenant_pipeline_close')
        batch_op.drop_index('ix_deals_tenant_owner')
        batch_op.drop_index('ix_deals_tenant_name')
        batch_op.drop_index(batch_op.f('ix_deals_tenant_id'))
        batch_op.drop_index('ix_deals_tenant_company')

    op.drop_table('deals')
    with op.batch_alter_table('pipeline_stages', schema=None) as batch_op:
        batch_op.drop_index('ix_pipeline_stages_tenant_pipeline')
        batch_op.drop_index(batch_op.f('ix_pipeline_stages_tenant_id'))

    op.drop_table('pipeline_stages')
    with op.batch_alter_table('sales_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_targets_tenant_id'))

    op.drop_table('sales_targets')
    with op.batch_alter_table('pipelines', schema=None) as batch_op:
        batch_op.drop_index('ix_pipelines_tenant_object')
        batch_op.drop_index(batch_op.f('ix_pipelines_tenant_id'))

    op.drop_table('pipelines')
    with op.batch_alter_table('lead_assignment_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_assignment_rules_tenant_position')
        batch_op.drop_index(batch_op.f('ix_lead_assignment_rules_tenant_id'))

    op.drop_table('lead_assignment_rules')
