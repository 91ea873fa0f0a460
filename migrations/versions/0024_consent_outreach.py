"""commune radio broadcasts and the household's data requests (issue #22)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 15:00:00.000000

``broadcasts``: what a commune's radio read and when; each informs the commune's households,
an outreach event each, which names the broadcast (``outreach_events.broadcast_id``).
``data_requests``: a household's request to correct or delete its personal data, and the
answer; ``households.anonymised_at`` marks a household whose personal data was deleted.
(Consent itself is kept by the outbox's migration, 0023.)
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'broadcasts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('broadcast_on', sa.Date(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=True),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'],
                                name=op.f('fk_broadcasts_area_id_areas')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_broadcasts_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts')),
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_area_id'), ['area_id'], unique=False)
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outreach_events_broadcast_id'), ['broadcast_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outreach_events_broadcast_id_broadcasts'),
                                    'broadcasts', ['broadcast_id'], ['id'])
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
    op.create_table(
        'data_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('correct', 'delete', name='requestkind', native_enum=False,
                                  length=20), nullable=False),
        sa.Column('status', sa.Enum('open', 'done', 'refused', name='requeststatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=True),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_data_requests_household_id_households')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'],
                                name=op.f('fk_data_requests_filed_by_id_users')),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'],
                                name=op.f('fk_data_requests_handled_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_requests')),
    )
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_requests_household_id'), ['household_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_requests_status'))
        batch_op.drop_index(batch_op.f('ix_data_requests_household_id'))
    op.drop_table('data_requests')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outreach_events_broadcast_id_broadcasts'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outreach_events_broadcast_id'))
        batch_op.drop_column('broadcast_id')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_area_id'))
    op.drop_table('broadcasts')
