"""when a record was last tried, for the queue's back-off

Revision ID: 0006_record_attempt_time
Revises: 6373525ad96a
Create Date: 2026-11-29 03:30:00

"""
from alembic import op
import sqlalchemy as sa

import hk.models.types


revision = '0006_record_attempt_time'
down_revision = '6373525ad96a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_attempted_at', hk.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.drop_column('render_attempted_at')
