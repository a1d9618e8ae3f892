"""quality facts: one narrow row per completed job for the quality figures, filled from the sources

The dashboard counted jobs ⋈ ratings and service_records ⋈ jobs over every job of a period; it now
groups quality_job_facts alone (hk/models/quality.py keeps each row true in the transaction that
changes its job, its rating or its records). The rows are filled here by the same computation as
hk.models.quality.facts_of, written out so that this revision does not change with the code.

Revision ID: 0018_quality_facts
Revises: 0017_one_current_record
Create Date: 2026-11-29 17:30:00
"""
from alembic import op
import sqlalchemy as sa
from hk.models.types import UTCDateTime


revision = '0018_quality_facts'
down_revision = '0017_one_current_record'
branch_labels = None
depends_on = None

GRACE_MINUTES = 15 + 0.001 / 60  # hk.domain.quality.ON_TIME_GRACE_MINUTES, a millisecond allowed
MINUTES = {
    'postgresql': '(EXTRACT(EPOCH FROM (j.checked_in_at - j.scheduled_start)) / 60.0)',
    'sqlite': '((julianday(j.checked_in_at) - julianday(j.scheduled_start)) * 1440.0)',
}
FILL = """
INSERT INTO quality_job_facts (
    job_id, customer_id, scheduled_start, worker_id, service_type_id, checked_in, on_time,
    overall, quality, punctuality, attitude, price, recommend,
    records, approved, sent_back, flagged, with_photos
)
SELECT j.id, j.customer_id, j.scheduled_start, j.worker_id, j.service_type_id,
    CASE WHEN j.checked_in_at IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN {minutes} <= {grace} THEN 1 ELSE 0 END,
    r.overall, r.quality, r.punctuality, r.attitude, r.price, r.recommend,
    COALESCE(s.records, 0), COALESCE(s.approved, 0), COALESCE(s.sent_back, 0),
    COALESCE(s.flagged, 0), COALESCE(s.with_photos, 0)
FROM jobs j
LEFT OUTER JOIN ratings r ON r.job_id = j.id
LEFT OUTER JOIN (
    SELECT job_id,
        count(CASE WHEN status = 'current' THEN 1 END) AS records,
        count(CASE WHEN status = 'current' AND review_status = 'approved' THEN 1 END) AS approved,
        count(CASE WHEN review_status = 'sent_back' THEN 1 END) AS sent_back,
        count(CASE WHEN status = 'current'
            AND (flag_incident OR flag_refused OR flag_missing_photos) THEN 1 END) AS flagged,
        count(CASE WHEN status = 'current' AND NOT flag_missing_photos THEN 1 END) AS with_photos
    FROM service_records
    GROUP BY job_id
) s ON s.job_id = j.id
WHERE j.status = 'completed'
"""


def upgrade():
    small = sa.SmallInteger()
    op.create_table(
        'quality_job_facts',
        sa.Column('job_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('scheduled_start', UTCDateTime(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=True),
        sa.Column('service_type_id', sa.Integer(), nullable=False),
        sa.Column('checked_in', small, nullable=False),
        sa.Column('on_time', small, nullable=False),
        sa.Column('overall', small, nullable=True),
        sa.Column('quality', small, nullable=True),
        sa.Column('punctuality', small, nullable=True),
        sa.Column('attitude', small, nullable=True),
        sa.Column('price', small, nullable=True),
        sa.Column('recommend', small, nullable=True),
        sa.Column('records', small, nullable=False),
        sa.Column('approved', small, nullable=False),
        sa.Column('sent_back', small, nullable=False),
        sa.Column('flagged', small, nullable=False),
        sa.Column('with_photos', small, nullable=False),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_quality_job_facts')),
    )
    op.create_index('ix_quality_job_facts_start', 'quality_job_facts', ['scheduled_start'])
    op.create_index('ix_quality_job_facts_worker_start', 'quality_job_facts', ['worker_id', 'scheduled_start'])
    op.create_index(
        'ix_quality_job_facts_customer',
        'quality_job_facts',
        ['customer_id', 'scheduled_start', 'worker_id', 'service_type_id'],
    )
    bind = op.get_bind()
    op.execute(FILL.format(minutes=MINUTES[bind.dialect.name], grace=repr(GRACE_MINUTES)))
    if bind.dialect.name == 'postgresql':
        op.execute('ANALYZE quality_job_facts')  # its plans need its statistics now, not at autovacuum's turn


def downgrade():
    op.drop_index('ix_quality_job_facts_customer', table_name='quality_job_facts')
    op.drop_index('ix_quality_job_facts_worker_start', table_name='quality_job_facts')
    op.drop_index('ix_quality_job_facts_start', table_name='quality_job_facts')
    op.drop_table('quality_job_facts')
