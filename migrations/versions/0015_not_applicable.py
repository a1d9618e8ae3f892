"""not applicable: a safety item the template allows to be answered "not applicable"

template_items.allows_na (false for every item stored so far), and "not_applicable" among the
answers an item check may hold.

Revision ID: 0015_not_applicable
Revises: 0014_quality_indexes
Create Date: 2026-11-29 14:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0015_not_applicable'
down_revision = '0014_quality_indexes'
branch_labels = None
depends_on = None

OLD_ANSWERS = ('done', 'safe', 'not_safe')
NEW_ANSWERS = ('done', 'safe', 'not_safe', 'not_applicable')


def _enum(values):
    return sa.Enum(*values, name='item_answer', native_enum=False, create_constraint=True, length=32)


def _set_answers(old, new):
    """Replace the CHECK constraint that lists the answers an item check may hold."""
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot alter a constraint: batch mode copies the table with the new type.
        with op.batch_alter_table('item_checks', schema=None) as batch_op:
            batch_op.alter_column('answer', existing_type=_enum(old), type_=_enum(new), existing_nullable=True)
    else:
        op.drop_constraint(op.f('ck_item_checks_item_answer'), 'item_checks', type_='check')
        op.create_check_constraint('item_answer', 'item_checks', sa.column('answer').in_(new))


def upgrade():
    with op.batch_alter_table('template_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allows_na', sa.Boolean(), nullable=False, server_default=sa.false()))
    _set_answers(OLD_ANSWERS, NEW_ANSWERS)


def downgrade():
    op.execute("UPDATE item_checks SET answer = NULL WHERE answer = 'not_applicable'")
    _set_answers(NEW_ANSWERS, OLD_ANSWERS)
    with op.batch_alter_table('template_items', schema=None) as batch_op:
        batch_op.drop_column('allows_na')
