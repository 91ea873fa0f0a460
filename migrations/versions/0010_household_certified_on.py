"""households: keep the day of the valid certificate on the household

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:30:00

"Trained" is the officials' most read fact: the province dashboard joined a quarter of a
million certificates to their households to count it per commune. Kept on the household
(``lms.certificates.services.refresh_certified``) it is read in the same pass over the
officials' index as "informed" and the data-quality rule. This fills it once, from the same
rule. The weekly chart counts the same column; the OCOP figure starts from the OCOP 3★+
products (a few percent) instead of probing every household; the area of those households
and of the sellers is read from a small index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FACTS_BEFORE = ['area_id', 'is_informed', 'scale_class_id', 'product_group_id', 'phone',
                'national_id']
FACTS_AFTER = ['area_id', 'is_informed', 'certified_on', 'scale_class_id', 'product_group_id',
               'phone', 'national_id']


def upgrade():
    op.add_column('households', sa.Column('certified_on', sa.Date(), nullable=True))
    op.execute(
        "UPDATE households SET certified_on = ("
        " SELECT max(c.issued_on) FROM certificates c"
        " WHERE c.household_id = households.id AND c.status = 'valid')"
    )
    op.drop_index('ix_households_facts', table_name='households')
    op.create_index('ix_households_facts', 'households', FACTS_AFTER, unique=False)
    op.create_index('ix_households_certified_on', 'households', ['certified_on', 'area_id'],
                    unique=False)
    op.create_index('ix_households_area_by_id', 'households', ['id', 'area_id'], unique=False)
    op.create_index('ix_products_ocop', 'products', ['ocop_stars', 'household_id'], unique=False)


def downgrade():
    op.drop_index('ix_products_ocop', table_name='products')
    op.drop_index('ix_households_area_by_id', table_name='households')
    op.drop_index('ix_households_certified_on', table_name='households')
    op.drop_index('ix_households_facts', table_name='households')
    op.create_index('ix_households_facts', 'households', FACTS_BEFORE, unique=False)
    with op.batch_alter_table('households') as batch_op:
        batch_op.drop_column('certified_on')
