"""one current record a job: a partial unique index on service_records(job_id) where status is current

Two current versions of one job's record would leave the archive saying two things; the code never
makes them (a correction supersedes the record before in the same transaction), and now the
database refuses them too, on SQLite and PostgreSQL alike.

Revision ID: 0017_one_current_record
Revises: 0016_customer_language
Create Date: 2026-11-29 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_one_current_record'
down_revision = '0016_customer_language'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'uq_service_records_one_current',
        'service_records',
        ['job_id'],
        unique=True,
        sqlite_where=sa.text("status = 'current'"),
        postgresql_where=sa.text("status = 'current'"),
    )


def downgrade():
    op.drop_index('uq_service_records_one_current', table_name='service_records')
