"""printed PINs: a member whose PIN was printed on a login card is asked to choose its own

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 12:10:00.000000

Issue #19. ``users.must_change_pin`` is set when a card is printed and cleared when the
member chooses its own PIN.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('must_change_pin', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_pin')
