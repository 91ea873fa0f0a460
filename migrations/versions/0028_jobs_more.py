"""jobs.key: a job started twice for the same thing (a double click) is one job (issue #20)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_jobs_key"), ["key"])


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_jobs_key"), type_="unique")
        batch_op.drop_column("key")
