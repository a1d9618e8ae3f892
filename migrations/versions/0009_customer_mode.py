"""customer mode: a login session can be handed to the customer for one job's review and signature

Revision ID: 0009_customer_mode
Revises: 0008_login_sessions
Create Date: 2026-11-29 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_customer_mode'
down_revision = '0008_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_job_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handback_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key(
            batch_op.f('fk_login_sessions_customer_job_id_jobs'), 'jobs', ['customer_job_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_login_sessions_customer_job_id_jobs'), type_='foreignkey')
        batch_op.drop_column('handback_failures')
        batch_op.drop_column('customer_job_id')
