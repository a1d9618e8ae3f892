"""offline sync: the client keys a phone's outbox has applied, and when each event happened on the phone

client_writes holds one row per (job, client key) a phone's outbox sent: committed with the change
it names, so a replay changes nothing. events.happened_at is the phone's time of the change (the
arrival stays in events.at); null for events that did not come from a phone's outbox, or whose
phone time could not be true.

Revision ID: 0019_offline_sync
Revises: 0017_one_current_record
Create Date: 2026-11-29 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_offline_sync'
down_revision = '0018_quality_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'client_writes',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('client_key', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.String(length=64), nullable=False),
        sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name='fk_client_writes_job_id_jobs'),
        sa.PrimaryKeyConstraint('job_id', 'client_key', name='pk_client_writes'),
    )
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('happened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('events') as batch:
        batch.drop_column('happened_at')
    op.drop_table('client_writes')
