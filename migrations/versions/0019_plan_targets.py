"""plan targets per commune and year; the former district of each commune (issue #17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 12:10:00.000000

Officials measure the plan against its own counts (agricultural households, OCOP 3★+
products) per commune and year, and still group a province's communes by the district
each belonged to before the 2025 reform.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('former_district', sa.String(length=120), server_default='', nullable=False)
        )
    op.create_table(
        'plan_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=True),
        sa.Column('ocop_products', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('households >= 0', name=op.f('ck_plan_targets_households_not_negative')),
        sa.CheckConstraint(
            'ocop_products >= 0', name=op.f('ck_plan_targets_ocop_products_not_negative')
        ),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_plan_targets_area_id_areas')),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_plan_targets_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
        sa.UniqueConstraint('area_id', 'year', name=op.f('uq_plan_targets_area_id')),
    )
    op.create_index(op.f('ix_plan_targets_area_id'), 'plan_targets', ['area_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_plan_targets_area_id'), table_name='plan_targets')
    op.drop_table('plan_targets')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('former_district')
