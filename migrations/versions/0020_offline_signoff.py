"""offline sign-off: a signature made without signal keeps what was shown and both times; the phone
can be taken back without signal

sign_offs.received_at: when a signature made offline reached the server (signed_at is then the
phone's time of signing); sign_offs.shown_json: the view the customer read, exactly, in its canonical
JSON (shown_hash is its SHA-256). login_sessions.handback_check: SHA-256 of the secret a phone made at
login and keeps wrapped under the worker's password, to take the phone back offline.

Revision ID: 0020_offline_signoff
Revises: 0019_offline_sync
Create Date: 2026-11-29 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_offline_signoff'
down_revision = '0019_offline_sync'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shown_json', sa.Text(), nullable=True))
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handback_check', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('handback_check')
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.drop_column('shown_json')
        batch_op.drop_column('received_at')
