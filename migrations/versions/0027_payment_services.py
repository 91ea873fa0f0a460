"""reserved: postal payment services (issue #19)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 15:00:00.000000

A place in the chain kept for the change named above, so that changes made side by side
never give the migrations two heads. It does nothing until that change fills it in.
"""


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
