"""reserved: more work as jobs (issue #20)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 15:00:00.000000

A place in the chain kept for the change named above, so that changes made side by side
never give the migrations two heads. It does nothing until that change fills it in.
"""


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
