"""reserved: targets, former districts and report (issue #17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 12:10:00.000000

A place in the chain kept for the change named above, so that changes made side by side
never give the migrations two heads. It does nothing until that change fills it in.
"""


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
