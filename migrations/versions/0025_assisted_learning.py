"""reserved: assisted learning and proxy flags (issue #22)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 15:00:00.000000

A place in the chain kept for the change named above, so that changes made side by side
never give the migrations two heads. It does nothing until that change fills it in.
"""


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
