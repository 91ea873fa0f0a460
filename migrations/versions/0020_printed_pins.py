"""printed PINs and gate answers: a member whose PIN was printed on a login card is asked to
choose its own; a request the gate refused as it was asked is an answer, not a refusal

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 12:10:00.000000

Issue #19. ``users.must_change_pin`` is set when a card is printed and cleared when the
member chooses its own PIN. ``activation_requests.answered_by_gate`` marks the requests the
gate refused as they were asked: they wait in no trainer's queue.
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
    with op.batch_alter_table('activation_requests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('answered_by_gate', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('activation_requests', schema=None) as batch_op:
        batch_op.drop_column('answered_by_gate')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_pin')
