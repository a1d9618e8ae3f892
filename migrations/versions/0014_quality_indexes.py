"""quality indexes: the quality figures counted from indexes at 100,000 jobs

A period's jobs done with every column the figures count of them (SQLite then never reads a job's
wide row with its template snapshot); a customer's jobs by status and time (repeat and lost customers,
follow-ups due); a job's records with their review and flags; a period's complaints; a customer's
follow-ups by time. The three composite indexes that start with a column indexed alone replace that
index (ix_jobs_customer_id, ix_service_records_job_id, ix_follow_ups_customer_id).

Revision ID: 0014_quality_indexes
Revises: 0013_messages
Create Date: 2026-11-29 12:30:00
"""
from alembic import op


revision = '0014_quality_indexes'
down_revision = '0013_messages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(
            'ix_jobs_status_start',
            ['status', 'scheduled_start', 'customer_id', 'worker_id', 'service_type_id', 'checked_in_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_jobs_customer_start',
            ['customer_id', 'scheduled_start', 'status', 'worker_id', 'service_type_id'],
            unique=False,
        )
        batch_op.drop_index('ix_jobs_customer_id')
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.create_index(
            'ix_service_records_job_review',
            ['job_id', 'status', 'review_status', 'flag_incident', 'flag_refused', 'flag_missing_photos'],
            unique=False,
        )
        batch_op.drop_index('ix_service_records_job_id')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_received_at', ['received_at'], unique=False)
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_customer_done', ['customer_id', 'done_at'], unique=False)
        batch_op.drop_index('ix_follow_ups_customer_id')


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_customer_id', ['customer_id'], unique=False)
        batch_op.drop_index('ix_follow_ups_customer_done')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_received_at')
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.create_index('ix_service_records_job_id', ['job_id'], unique=False)
        batch_op.drop_index('ix_service_records_job_review')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_customer_id', ['customer_id'], unique=False)
        batch_op.drop_index('ix_jobs_customer_start')
        batch_op.drop_index('ix_jobs_status_start')
