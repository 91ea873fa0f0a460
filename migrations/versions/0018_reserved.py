"""reserved: reconciliation records (issue #17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:10:00.000000

A place in the chain kept for the change named above, so that changes made side by side
never give the migrations two heads. It does nothing until that change fills it in.
"""


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
