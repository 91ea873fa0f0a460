"""products.ocop_decided_on: the date of the OCOP decision, from which the rating holds
36 months (issue #22)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ocop_decided_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("ocop_decided_on")
