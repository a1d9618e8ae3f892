"""customer language and typed signatures: the customer's screens keep the language they chose, and a
customer who cannot draw signs by typing their name

login_sessions.customer_lang: the language chosen on the customer screens while the worker's phone
is in customer mode (the worker's own comes back with the phone). sign_offs.signature_kind: "drawn"
or "typed" for a signed sign-off; the sign-offs signed before are drawings.

Revision ID: 0016_customer_language
Revises: 0015_not_applicable
Create Date: 2026-11-29 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_customer_language'
down_revision = '0015_not_applicable'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_lang', sa.String(length=10), nullable=True))
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'signature_kind',
                sa.Enum('drawn', 'typed', name='signature_kind', native_enum=False, length=32,
                        create_constraint=True),
                nullable=True,
            )
        )
    op.execute("UPDATE sign_offs SET signature_kind = 'drawn' WHERE kind = 'signed'")


def downgrade():
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.drop_column('signature_kind')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('customer_lang')
