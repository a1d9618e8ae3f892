"""login sessions: a logout ends the session on the server, and a person can end all of theirs

Revision ID: 0008_login_sessions
Revises: 0007_client_keys_per_job
Create Date: 2026-11-29 07:00:00

Cookies made before this revision name no session and stop working: everyone logs in once more.
"""
from alembic import op
import sqlalchemy as sa

import hk.models.types


revision = '0008_login_sessions'
down_revision = '0007_client_keys_per_job'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', hk.models.types.UTCDateTime(), nullable=False),
        sa.Column('ended_at', hk.models.types.UTCDateTime(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token', name=op.f('uq_login_sessions_token')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
