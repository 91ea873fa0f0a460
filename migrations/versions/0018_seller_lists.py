"""seller lists and products from reconciliation (issue #17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:10:00.000000

A marketplace's seller export uploaded for reconciliation becomes a record: the official's
decisions on its doubtful matches are kept on it, and its commit claims it once. A product
that a matched seller lists but the registry did not hold is created by the commit and says
so (``products.source``), so an official knows to add its rating and certifications.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'source',
                sa.Enum('registry', 'reconciliation', name='productsource', native_enum=False,
                        length=20),
                server_default='registry',
                nullable=False,
            )
        )
    op.create_table(
        'seller_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('marketplace_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('decisions', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('committed_at', sa.DateTime(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_seller_lists_created_by_id_users')),
        sa.ForeignKeyConstraint(['marketplace_id'], ['marketplaces.id'],
                                name=op.f('fk_seller_lists_marketplace_id_marketplaces')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_seller_lists')),
        sa.UniqueConstraint('token', name=op.f('uq_seller_lists_token')),
    )
    with op.batch_alter_table('seller_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_lists_created_by_id'), ['created_by_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_seller_lists_marketplace_id'), ['marketplace_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('seller_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_lists_marketplace_id'))
        batch_op.drop_index(batch_op.f('ix_seller_lists_created_by_id'))
    op.drop_table('seller_lists')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('source')
