"""emergency plans per incident type; the electrical type; an incident's response timeline and evaluation

Revision ID: 0010_emergency_plans
Revises: 0009_customer_mode
Create Date: 2026-11-30 09:00:00

The plans themselves are catalogue data: `flask hk load-catalogue` stores the shipped ones (it
changes nothing else that is already there).
"""
from alembic import op
import sqlalchemy as sa

import hk.models.types


revision = '0010_emergency_plans'
down_revision = '0009_customer_mode'
branch_labels = None
depends_on = None

OLD_TYPES = ('injury', 'fall', 'fire', 'property_damage', 'chemical_exposure', 'customer_dispute',
             'unsafe_site', 'other')
NEW_TYPES = ('injury', 'fall', 'fire', 'electrical', 'chemical_exposure', 'property_damage',
             'customer_dispute', 'unsafe_site', 'other')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _set_incident_types(old, new):
    """Replace the CHECK constraint that lists the allowed incident types."""
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot alter a constraint: batch mode copies the table with the new type.
        with op.batch_alter_table('incidents', schema=None) as batch_op:
            batch_op.alter_column('type', existing_type=_enum(old, 'incident_type'),
                                  type_=_enum(new, 'incident_type'), existing_nullable=False)
    else:
        op.drop_constraint(op.f('ck_incidents_incident_type'), 'incidents', type_='check')
        op.create_check_constraint('incident_type', 'incidents', sa.column('type').in_(new))


def upgrade():
    op.create_table(
        'emergency_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_type', _enum(NEW_TYPES, 'plan_incident_type'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('calls', sa.JSON(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('updated_at', hk.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_plans')),
        sa.UniqueConstraint('incident_type', name=op.f('uq_emergency_plans_incident_type')),
    )
    _set_incident_types(OLD_TYPES, NEW_TYPES)
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', hk.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_worked', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_change', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plan_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_incidents_acknowledged_by_id_users'), 'users', ['acknowledged_by_id'], ['id']
        )
    # Incidents closed before there was an acknowledgement were taken in hand when they were closed.
    op.execute(
        "UPDATE incidents SET acknowledged_at = closed_at, acknowledged_by_id = closed_by_id "
        "WHERE closed_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incidents_acknowledged_by_id_users'), type_='foreignkey')
        batch_op.drop_column('plan_version')
        batch_op.drop_column('evaluation_change')
        batch_op.drop_column('evaluation_worked')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
    op.execute("UPDATE incidents SET type = 'other' WHERE type = 'electrical'")
    _set_incident_types(NEW_TYPES, OLD_TYPES)
    op.drop_table('emergency_plans')
