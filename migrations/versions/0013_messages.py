"""messages: customers' and staff's email addresses, and the outbox of email messages

Revision ID: 0013_messages
Revises: 0012_after_sales
Create Date: 2026-11-30 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import hk.models.types


revision = '0013_messages'
down_revision = '0012_after_sales'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column(
            'recipient_kind',
            sa.Enum('customer', 'staff', name='recipient_kind', native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column('recipient_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('subject_type', sa.String(length=32), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column(
            'status',
            sa.Enum(
                'pending', 'sending', 'sent', 'failed',
                name='message_status', native_enum=False, create_constraint=True, length=32,
            ),
            nullable=False,
        ),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('due_at', hk.models.types.UTCDateTime(), nullable=False),
        sa.Column('claim_token', sa.String(length=32), nullable=True),
        sa.Column('claimed_at', hk.models.types.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('outbox_file', sa.String(length=200), nullable=True),
        sa.Column('created_at', hk.models.types.UTCDateTime(), nullable=False),
        sa.Column('sent_at', hk.models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_messages_dedupe_key')),
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_messages_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_subject')
        batch_op.drop_index('ix_messages_status_due_at')
    op.drop_table('messages')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('email')
