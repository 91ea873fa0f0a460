"""households: keep "informed about the programme" on the household

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00

Officials count the informed households of a whole province on every dashboard. Asked of
the records (an outreach event, or a class attended present or late) that is two probes per
household, 0.7 s for half a million; kept on the household it is read from an index. The
services keep it (``lms.households.services.refresh_informed``); this fills it once, from
the same rule, and widens the officials' index of household facts with it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

FACT_COLUMNS = ['area_id', 'is_informed', 'scale_class_id', 'product_group_id', 'phone',
                'national_id']
QUALITY_COLUMNS = ['area_id', 'scale_class_id', 'product_group_id', 'phone', 'national_id']


def upgrade():
    op.add_column('households', sa.Column('is_informed', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.execute(
        "UPDATE households SET is_informed = ("
        " EXISTS (SELECT 1 FROM outreach_events o WHERE o.household_id = households.id)"
        " OR EXISTS (SELECT 1 FROM attendance_marks m WHERE m.household_id = households.id"
        "  AND m.status IN ('present', 'late')))"
    )
    op.drop_index('ix_households_quality', table_name='households')
    op.create_index('ix_households_facts', 'households', FACT_COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_households_facts', table_name='households')
    op.create_index('ix_households_quality', 'households', QUALITY_COLUMNS, unique=False)
    with op.batch_alter_table('households') as batch_op:
        batch_op.drop_column('is_informed')
