"""client keys unique within their job, not across all jobs

Revision ID: 0007_client_keys_per_job
Revises: 0006_record_attempt_time
Create Date: 2026-11-29 07:00:00

A phone's client key names one tap within one job. Unique across all jobs, another worker could
take the keys first and make a "not safe" answer or a photo fail, or get another job's photo back.
"""
from alembic import op


revision = '0007_client_keys_per_job'
down_revision = '0006_record_attempt_time'
branch_labels = None
depends_on = None

TABLES = ('handover_items', 'incidents', 'photos')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_client_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_job_client_key', ['job_id', 'client_key'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_job_client_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_client_key', ['client_key'])
